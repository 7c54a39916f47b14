package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ack modes, the prefetch window and ACK/NACK by id (1.2) or message-id (1.0, 1.1). */
class StompAckTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void publish(String channel, int from, int to) {
        for (int i = from; i <= to; i++) {
            server.herald.publish(ChannelName.of(channel), String.valueOf(i));
        }
    }

    @Test
    void clientIndividualAcksOneMessageAndTheWindowBoundsWhatIsUnacked() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("s", "/topic/ack.individual", "ack", "client-individual", "prefetch-count", "2");
            publish("/ack/individual", 1, 5);
            StompFrame one = c.next("MESSAGE");
            StompFrame two = c.next("MESSAGE");
            assertThat(List.of(one.text(), two.text())).containsExactly("1", "2");
            assertThat(one.header("ack")).isEqualTo(one.header("message-id"));
            c.assertNothingWithin(Duration.ofMillis(300));
            c.send("ACK", headers("id", two.header("ack")));
            assertThat(c.next("MESSAGE").text()).isEqualTo("3");
            c.assertNothingWithin(Duration.ofMillis(200));
            c.send("ACK", headers("id", one.header("ack")));
            assertThat(c.next("MESSAGE").text()).isEqualTo("4");
        }
    }

    @Test
    void clientAckIsCumulative() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("s", "/topic/ack.cumulative", "ack", "client", "prefetch-count", "2");
            publish("/ack/cumulative", 1, 6);
            c.next("MESSAGE");
            StompFrame two = c.next("MESSAGE");
            c.assertNothingWithin(Duration.ofMillis(300));
            c.send("ACK", headers("id", two.header("ack")));
            assertThat(List.of(c.next("MESSAGE").text(), c.next("MESSAGE").text())).containsExactly("3", "4");
        }
    }

    @Test
    void version11AcksByMessageIdAndSubscription() throws Exception {
        try (StompTestClient c = new StompTestClient(server.ws, "v11.stomp")) {
            c.send("CONNECT", headers("accept-version", "1.1"));
            c.next("CONNECTED");
            c.send("SUBSCRIBE", headers("id", "s", "destination", "/topic/ack.v11", "ack", "client-individual",
                    "prefetch-count", "1", "receipt", "r"));
            c.awaitReceipt("r");
            publish("/ack/v11", 1, 2);
            StompFrame one = c.next("MESSAGE");
            assertThat(one.header("ack")).as("1.1 has no ack header").isNull();
            c.send("ACK", headers("message-id", one.header("message-id"), "subscription", "s"));
            assertThat(c.next("MESSAGE").text()).isEqualTo("2");
        }
    }

    @Test
    void anUnknownAckIdIsAnError() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.send("ACK", headers("id", "T_sub-0@@session@@1"));
            assertThat(c.next("ERROR").header("message")).startsWith("Message not found");
            c.awaitClosed();
        }
    }

    @Test
    void ackingTwiceIsHarmless() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("s", "/topic/ack.twice", "ack", "client-individual");
            publish("/ack/twice", 1, 1);
            StompFrame one = c.next("MESSAGE");
            c.sendAndAwaitReceipt("ACK", headers("id", one.header("ack")), "");
            c.sendAndAwaitReceipt("ACK", headers("id", one.header("ack")), "");
        }
    }

    @Test
    void acknowledgedWildcardSubscriptionsAreRefused() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.send("SUBSCRIBE", headers("id", "s", "destination", "/topic/ack.*", "ack", "client"));
            assertThat(c.next("ERROR").header("message")).contains("needs an exact destination");
            c.awaitClosed();
        }
    }

    @Test
    void nackOnAPlainSubscriptionDropsTheMessageAndFreesTheWindow() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("s", "/topic/ack.nack", "ack", "client-individual", "prefetch-count", "1");
            publish("/ack/nack", 1, 2);
            StompFrame one = c.next("MESSAGE");
            c.send("NACK", headers("id", one.header("ack")));
            StompFrame two = c.next("MESSAGE");
            assertThat(two.text()).isEqualTo("2");
            assertThat(two.header("redelivered")).isEqualTo("false");
        }
    }

    @Test
    void transactionsDeliverCommittedSendsAndAcksOnly() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("s", "/topic/tx.a", "ack", "client-individual", "prefetch-count", "1");
            c.send("BEGIN", headers("transaction", "tx1"));
            c.send("SEND", headers("destination", "/topic/tx.a", "transaction", "tx1"), "aborted");
            c.send("ABORT", headers("transaction", "tx1"));
            c.send("BEGIN", headers("transaction", "tx2"));
            c.send("SEND", headers("destination", "/topic/tx.a", "transaction", "tx2"), "committed");
            c.sendAndAwaitReceipt("SEND", headers("destination", "/topic/tx.a"), "outside");
            StompFrame outside = c.next("MESSAGE");
            assertThat(outside.text()).isEqualTo("outside");
            c.sendAndAwaitReceipt("COMMIT", headers("transaction", "tx2"), "");
            // The window of 1 is full until the ACK in the next transaction commits.
            c.send("BEGIN", headers("transaction", "tx3"));
            c.sendAndAwaitReceipt("ACK", headers("id", outside.header("ack"), "transaction", "tx3"), "");
            c.assertNothingWithin(Duration.ofMillis(300));
            c.send("COMMIT", headers("transaction", "tx3"));
            assertThat(c.next("MESSAGE").text()).isEqualTo("committed");
            assertThat(server.herald.engine().history(ChannelName.of("/tx/a"), null, 10).messages())
                    .extracting(m -> m.payload().utf8()).containsExactly("outside", "committed");
        }
    }

    @Test
    void aRefusedSendInATransactionIsRefusedAtTheSend() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.send("BEGIN", headers("transaction", "t"));
            c.send("SEND", headers("destination", "/topic/meta.x", "transaction", "t"), "x");
            assertThat(c.next("ERROR").header("message")).contains("reserved");
            c.awaitClosed();
        }
    }

    @Test
    void unknownTransactionIsAnError() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.send("COMMIT", headers("transaction", "nope"));
            assertThat(c.next("ERROR").header("message")).isEqualTo("COMMIT of unknown transaction 'nope'");
            c.awaitClosed();
        }
    }
}
