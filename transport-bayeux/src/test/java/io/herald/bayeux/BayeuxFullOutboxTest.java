package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A client using the acknowledgement extension whose outbox fills (a burst, or the catch-up of a resume, while
 * it has no connect out): its connection is not cut off as a slow consumer, since its acknowledged channels can
 * read on from history. A cut-off ended its pattern subscriptions too, and a pattern has no cursor: a channel seen
 * only through the pattern whose messages came before the client was back lost them, told only by a reset of the
 * pattern (ClientStressTest saw a wildcard channel lose all 500 of its messages that way).
 */
class BayeuxFullOutboxTest {

    /** An outbox of 16 items, so a burst fills it while the client has no connect out. */
    private static BayeuxTestServer smallOutboxServer() throws Exception {
        return new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(CoreSettings.SUBSCRIBER_QUEUE, "16").with(BayeuxSettings.ACK_WINDOW, "100"));
    }

    /** A client with the acknowledgement extension, subscribed to {@code /full/busy} and {@code /full/w/*}. */
    private static BayeuxTestClient ackingSubscriber(BayeuxTestServer server) throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(server.bayeux());
        ObjectNode handshake = client.handshakeMessage();
        handshake.putObject("ext").put("ack", true);
        client.clientId = client.send(handshake).get(0).get("clientId").asText();
        client.send(connect(client, 0));
        client.subscribe("/full/busy", "/full/w/*");
        return client;
    }

    @Test
    void aFullOutboxPausesAnAckingClientInsteadOfCuttingItsPatternsOff() throws Exception {
        try (BayeuxTestServer server = smallOutboxServer()) {
            BayeuxTestClient client = ackingSubscriber(server);
            publish(server, "/full/w/known", 1);
            long acked = 0;
            Map<String, List<Integer>> got = new TreeMap<>();
            acked = receive(client, acked, got);
            assertThat(got).containsEntry("/full/w/known", List.of(1));

            // No connect is out: the burst fills the outbox, then the pattern has a new channel's messages.
            for (int n = 1; n <= 40; n++) {
                publish(server, "/full/busy", n);
            }
            for (int n = 1; n <= 5; n++) {
                publish(server, "/full/w/new", n);
            }
            publish(server, "/full/w/known", 2);
            for (int i = 0; i < 40 && !(got.getOrDefault("/full/busy", List.of()).size() >= 40
                    && got.getOrDefault("/full/w/new", List.of()).size() >= 5
                    && got.getOrDefault("/full/w/known", List.of()).size() >= 2); i++) {
                acked = receive(client, acked, got);
            }
            assertThat(got.get("/full/busy")).as("%s", got).containsExactlyElementsOf(range(40));
            assertThat(got.get("/full/w/new")).as("%s", got).containsExactlyElementsOf(range(5));
            assertThat(got.get("/full/w/known")).as("%s", got).containsExactly(1, 2);
            assertThat(server.server().stats().get("cutOffs")).isEqualTo(0L);
        }
    }

    /**
     * A pattern's channel whose first messages were queued before the outbox filled, and a later one overflowed:
     * the channel's acknowledged subscription starts before the first queued one, not before the one that
     * overflowed, so a reply carrying the queued ones that is lost is redelivered after the restart rather than
     * lost (ClientStressTest, seed 3491074049376: a wildcard channel's first 121 messages).
     */
    @Test
    void aLostReplyRedeliversAPatternChannelsCopiesQueuedBeforeItsOverflow() throws Exception {
        try (BayeuxTestServer server = smallOutboxServer()) {
            BayeuxTestClient client = ackingSubscriber(server);
            // Queued as the pattern's copies while there is room; then the burst fills the outbox, and the
            // channel's next message overflows.
            for (int n = 1; n <= 3; n++) {
                publish(server, "/full/w/new", n);
            }
            for (int n = 1; n <= 40; n++) {
                publish(server, "/full/busy", n);
            }
            publish(server, "/full/w/new", 4);
            publish(server, "/full/w/new", 5);
            // This reply is lost with the link: the next connect acknowledges nothing.
            Map<String, List<Integer>> lost = new TreeMap<>();
            receive(client, 0, lost);
            assertThat(lost.get("/full/w/new")).as("the lost reply (%s)", lost).contains(1);
            long acked = 0;
            Map<String, List<Integer>> got = new TreeMap<>();
            for (int i = 0; i < 40 && !(got.getOrDefault("/full/busy", List.of()).size() >= 40
                    && got.getOrDefault("/full/w/new", List.of()).size() >= 5); i++) {
                acked = receive(client, acked, got);
            }
            assertThat(got.get("/full/w/new")).as("%s", got).containsExactlyElementsOf(range(5));
            assertThat(got.get("/full/busy")).as("%s", got).containsExactlyElementsOf(range(40));
        }
    }

    /** One connect acknowledging {@code acked}; records what it brought; returns the batch to acknowledge next. */
    private static long receive(BayeuxTestClient client, long acked, Map<String, List<Integer>> got) throws Exception {
        ArrayNode reply = client.send(connect(client, acked));
        for (JsonNode m : deliveries(reply)) {
            if (m.path("data").has("n")) {
                got.computeIfAbsent(m.get("channel").asText(), c -> new ArrayList<>()).add(m.get("data").get("n").asInt());
            }
        }
        JsonNode batch = reply.get(reply.size() - 1).path("ext").get("ack");
        for (JsonNode r : reply) {
            if ("/meta/connect".equals(r.path("channel").asText()) && r.path("ext").has("ack")) {
                batch = r.get("ext").get("ack");
            }
        }
        return batch != null ? batch.asLong() : acked;
    }

    private static ObjectNode connect(BayeuxTestClient client, long ack) {
        ObjectNode connect = client.connectMessage(0L);
        connect.putObject("ext").put("ack", ack);
        return connect;
    }

    private static void publish(BayeuxTestServer server, String channel, int n) {
        server.herald.publish(ChannelName.of(channel), "{\"n\":" + n + "}");
    }

    private static List<Integer> range(int to) {
        return IntStream.rangeClosed(1, to).boxed().toList();
    }
}
