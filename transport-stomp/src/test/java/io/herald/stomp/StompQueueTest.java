package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /queue/<name>}: competing consumers, each message to one of them, what a consumer drops goes to another. */
class StompQueueTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void send(StompTestClient c, String queue, int from, int to) throws InterruptedException {
        for (int i = from; i <= to; i++) {
            c.sendAndAwaitReceipt("SEND", headers("destination", queue), String.valueOf(i));
        }
    }

    @Test
    void eachMessageGoesToExactlyOneConsumer() throws Exception {
        try (StompTestClient a = StompTestClient.connected(server.ws);
             StompTestClient b = StompTestClient.connected(server.ws);
             StompTestClient sender = StompTestClient.connected(server.ws)) {
            a.subscribe("a", "/queue/jobs", "ack", "client-individual", "prefetch-count", "5");
            b.subscribe("b", "/queue/jobs", "ack", "client-individual", "prefetch-count", "5");
            send(sender, "/queue/jobs", 1, 20);
            List<String> got = new ArrayList<>();
            List<String> byA = new ArrayList<>();
            while (got.size() < 20) {
                for (StompTestClient c : List.of(a, b)) {
                    StompFrame m = c.frames.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (m != null) {
                        assertThat(m.header("destination")).isEqualTo("/queue/jobs");
                        got.add(m.text());
                        if (c == a) {
                            byA.add(m.text());
                        }
                        c.send("ACK", headers("id", m.header("ack")));
                    }
                }
            }
            assertThat(new HashSet<>(got)).hasSize(20);
            assertThat(byA).isNotEmpty().hasSizeLessThan(20);
            a.assertNothingWithin(Duration.ofMillis(200));
            b.assertNothingWithin(Duration.ofMillis(200));
        }
    }

    @Test
    void whatIsSentBeforeAnyConsumerWaitsForOne() throws Exception {
        try (StompTestClient sender = StompTestClient.connected(server.ws)) {
            send(sender, "/queue/early", 1, 3);
        }
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("q", "/queue/early");
            assertThat(List.of(c.next("MESSAGE").text(), c.next("MESSAGE").text(), c.next("MESSAGE").text()))
                    .containsExactly("1", "2", "3");
        }
    }

    @Test
    void whatADroppedConsumerHadNotAckedGoesToAnotherFlaggedRedelivered() throws Exception {
        try (StompTestClient b = StompTestClient.connected(server.ws);
             StompTestClient sender = StompTestClient.connected(server.ws)) {
            Set<String> bGot = new HashSet<>();
            try (StompTestClient a = StompTestClient.connected(server.ws)) {
                a.subscribe("a", "/queue/drop", "ack", "client-individual", "prefetch-count", "2");
                send(sender, "/queue/drop", 1, 2);
                a.next("MESSAGE");
                a.next("MESSAGE");
                b.subscribe("b", "/queue/drop", "ack", "client-individual", "prefetch-count", "10");
                a.kill();
            }
            List<StompFrame> redelivered = List.of(b.next("MESSAGE"), b.next("MESSAGE"));
            for (StompFrame m : redelivered) {
                assertThat(m.header("redelivered")).isEqualTo("true");
                bGot.add(m.text());
                b.send("ACK", headers("id", m.header("ack")));
            }
            assertThat(bGot).containsExactlyInAnyOrder("1", "2");
            send(sender, "/queue/drop", 3, 3);
            assertThat(b.next("MESSAGE").header("redelivered")).isEqualTo("false");
        }
    }

    @Test
    void nackGivesTheMessageBack() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("q", "/queue/nack", "ack", "client-individual");
            send(c, "/queue/nack", 1, 1);
            StompFrame first = c.next("MESSAGE");
            c.send("NACK", headers("id", first.header("ack")));
            StompFrame again = c.next("MESSAGE");
            assertThat(again.text()).isEqualTo("1");
            assertThat(again.header("redelivered")).isEqualTo("true");
        }
    }
}
