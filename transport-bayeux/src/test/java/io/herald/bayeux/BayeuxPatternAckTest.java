package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The acknowledgement extension on a pattern subscription: each concrete channel the pattern delivers from gets
 * an acknowledged subscription of its own in the session, so a lost batch or a cut redelivers, in order per
 * channel.
 */
class BayeuxPatternAckTest {

    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(BayeuxSettings.MAX_INTERVAL, "300ms").with(BayeuxSettings.ACK_WINDOW, "5"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private BayeuxTestClient ackClient(String... subscriptions) throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(server.bayeux());
        ObjectNode handshake = client.handshakeMessage();
        handshake.putObject("ext").put("ack", true);
        JsonNode reply = client.send(handshake).get(0);
        assertThat(reply.get("ext").get("ack").asBoolean()).isTrue();
        client.clientId = reply.get("clientId").asText();
        client.send(connect(client, -1, 0L));
        client.subscribe(subscriptions);
        return client;
    }

    private static ObjectNode connect(BayeuxTestClient client, long ack, Long timeout) {
        ObjectNode connect = client.connectMessage(timeout);
        connect.putObject("ext").put("ack", ack);
        return connect;
    }

    private static List<String> data(ArrayNode response) {
        return deliveries(response).stream().map(m -> m.get("channel").asText() + "=" + m.get("data").get("n")).toList();
    }

    private void publish(String channel, int n) {
        server.herald.publish(ChannelName.of(channel), "{\"n\":" + n + "}");
    }

    @Test
    @DisplayName("a lost batch of a pattern subscription is sent again, every channel in order, then what came after")
    void lostBatchIsResent() throws Exception {
        BayeuxTestClient client = ackClient("/pw/*");
        publish("/pw/a", 1);
        publish("/pw/b", 1);
        ArrayNode first = client.send(connect(client, -1, 0L));
        assertThat(data(first)).containsExactlyInAnyOrder("/pw/a=1", "/pw/b=1");
        long batch = first.get(0).get("ext").get("ack").asLong();

        publish("/pw/a", 2);
        publish("/pw/b", 2);
        ArrayNode lost = client.send(connect(client, batch, 0L));
        assertThat(data(lost)).containsExactlyInAnyOrder("/pw/a=2", "/pw/b=2");
        publish("/pw/a", 3);
        publish("/pw/c", 1);
        // The reply above never reached the client: its next connect acknowledges the first batch only.
        ArrayNode again = client.send(connect(client, batch, 0L));
        Map<String, List<String>> byChannel = byChannel(again);
        assertThat(byChannel.get("/pw/a")).containsExactly("/pw/a=2", "/pw/a=3");
        assertThat(byChannel.get("/pw/b")).containsExactly("/pw/b=2");
        assertThat(byChannel.get("/pw/c")).containsExactly("/pw/c=1");
        assertThat((Long) server.server().stats().get("batchesResent")).isPositive();

        // Acknowledged: nothing comes again.
        long acked = again.get(0).get("ext").get("ack").asLong();
        publish("/pw/b", 3);
        assertThat(data(client.send(connect(client, acked, 0L)))).containsExactly("/pw/b=3");
    }

    @Test
    @DisplayName("what a pattern subscription delivered unacked outlives the node letting the client go, and comes again in order per channel")
    void unackedOutlivesTheConnection() throws Exception {
        BayeuxTestClient client = ackClient("/pv/**");
        publish("/pv/a", 1);
        publish("/pv/b/x", 1);
        ArrayNode first = client.send(connect(client, -1, 0L));
        long batch = first.get(0).get("ext").get("ack").asLong();
        publish("/pv/a", 2);
        publish("/pv/b/x", 2);
        assertThat(data(client.send(connect(client, batch, 0L)))).containsExactlyInAnyOrder("/pv/a=2", "/pv/b/x=2");
        // That reply was lost, and the client stays away past max-interval: the node lets it go.
        String id = client.clientId;
        await().until(() -> server.server().local(id) == null);
        publish("/pv/a", 3);
        publish("/pv/b/x", 3);

        ArrayNode back = client.send(connect(client, batch, 0L));
        assertThat(back.get(0).get("successful").asBoolean()).as(back.toString()).isTrue();
        Map<String, List<String>> byChannel = byChannel(back);
        assertThat(byChannel.get("/pv/a")).containsExactly("/pv/a=2", "/pv/a=3");
        assertThat(byChannel.get("/pv/b/x")).containsExactly("/pv/b/x=2", "/pv/b/x=3");
        assertThat(server.server().stats().get("resumed")).isEqualTo(1L);
    }

    @Test
    @DisplayName("a pattern and an exact subscription on the same channel: one copy per publish, acknowledged, and unsubscribing the pattern drops its channels")
    void overlappingAndUnsubscribe() throws Exception {
        BayeuxTestClient client = ackClient("/po/*", "/po/a");
        publish("/po/a", 1);
        publish("/po/b", 1);
        ArrayNode first = client.send(connect(client, -1, 0L));
        assertThat(data(first)).containsExactlyInAnyOrder("/po/a=1", "/po/b=1");
        long batch = first.get(0).get("ext").get("ack").asLong();
        publish("/po/a", 2);
        assertThat(data(client.send(connect(client, batch, 0L)))).containsExactly("/po/a=2");

        JsonNode reply = client.send(client.subscribeMessage("/po/*").put("channel", "/meta/unsubscribe")).get(0);
        assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        assertThat(server.server().local(client.clientId).connection().subscriptions())
                .extracting(io.herald.core.ConnectionSubscription::key).containsExactly("/po/a");
        publish("/po/a", 3);
        publish("/po/b", 2);
        assertThat(data(client.send(connect(client, batch + 1, 0L)))).containsExactly("/po/a=3");
    }

    @Test
    @DisplayName("stress: random lost replies on a pattern over four channels, window 5: every message once, in order per channel (seeded)")
    void randomLossesEveryMessageOnceInOrder() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        BayeuxTestClient client = ackClient("/ps/*");
        List<String> channels = List.of("/ps/a", "/ps/b", "/ps/c", "/ps/d");
        Map<String, Integer> published = new LinkedHashMap<>();
        Map<String, List<Integer>> received = new LinkedHashMap<>();
        long acked = -1;
        for (int round = 0; round < 60; round++) {
            for (int i = random.nextInt(4); i > 0; i--) {
                String channel = channels.get(random.nextInt(channels.size()));
                int n = published.merge(channel, 1, Integer::sum);
                publish(channel, n);
            }
            ArrayNode response = client.send(connect(client, acked, 0L));
            assertThat(response.get(0).get("successful").asBoolean()).as("seed %d: %s", seed, response).isTrue();
            if (random.nextInt(4) == 0) {
                continue; // lost in the network
            }
            if (response.get(0).path("ext").has("ack")) {
                acked = response.get(0).get("ext").get("ack").asLong();
            }
            for (JsonNode m : deliveries(response)) {
                if (m.path("ext").path("herald").path("missedevents").asBoolean()) {
                    // A lost batch restarts the connection: the pattern says it was reset; its channels replay.
                    assertThat(m.get("channel").asText()).isEqualTo("/ps/*");
                    continue;
                }
                List<Integer> got = received.computeIfAbsent(m.get("channel").asText(), k -> new ArrayList<>());
                int n = m.get("data").get("n").asInt();
                // A redelivered batch may repeat what the client had (at least once): drop repeats as a client does.
                if (got.isEmpty() || n > got.get(got.size() - 1)) {
                    assertThat(n).as("seed %d, %s after %s", seed, m, got).isEqualTo(got.isEmpty() ? 1 : got.get(got.size() - 1) + 1);
                    got.add(n);
                }
            }
        }
        for (int round = 0; round < 50 && !complete(published, received); round++) {
            ArrayNode response = client.send(connect(client, acked, 0L));
            if (response.get(0).path("ext").has("ack")) {
                acked = response.get(0).get("ext").get("ack").asLong();
            }
            for (JsonNode m : deliveries(response)) {
                if (m.path("ext").path("herald").path("missedevents").asBoolean()) {
                    // A lost batch restarts the connection: the pattern says it was reset; its channels replay.
                    assertThat(m.get("channel").asText()).isEqualTo("/ps/*");
                    continue;
                }
                List<Integer> got = received.computeIfAbsent(m.get("channel").asText(), k -> new ArrayList<>());
                int n = m.get("data").get("n").asInt();
                if (got.isEmpty() || n > got.get(got.size() - 1)) {
                    assertThat(n).as("seed %d", seed).isEqualTo(got.isEmpty() ? 1 : got.get(got.size() - 1) + 1);
                    got.add(n);
                }
            }
        }
        for (var e : published.entrySet()) {
            assertThat(received.get(e.getKey())).as("seed %d, %s", seed, e.getKey()).hasSize(e.getValue());
        }
    }

    private static boolean complete(Map<String, Integer> published, Map<String, List<Integer>> received) {
        return published.entrySet().stream().allMatch(e -> received.getOrDefault(e.getKey(), List.of()).size() == e.getValue());
    }

    @Test
    @DisplayName("after the node let the client go, the batch number it acknowledged before acknowledges nothing of what the next node object sends")
    void batchNumbersGoOnAfterTheNodeLetTheClientGo() throws Exception {
        BayeuxTestClient client = ackClient("/pn/*");
        long acked = -1;
        for (int n = 1; n <= 3; n++) {
            publish("/pn/a", n);
            ArrayNode reply = client.send(connect(client, acked, 0L));
            assertThat(byChannel(reply).get("/pn/a")).containsExactly("/pn/a=" + n);
            acked = reply.get(0).get("ext").get("ack").asLong();
        }
        client.send(connect(client, acked, 0L));
        // The client stays away past max-interval: the node lets it go; it comes back with no handshake.
        String id = client.clientId;
        await().until(() -> server.server().local(id) == null);
        publish("/pn/a", 4);
        assertThat(byChannel(client.send(connect(client, acked, 0L))).get("/pn/a")).containsExactly("/pn/a=4");
        // That reply was lost: the client acknowledges the last batch it had, again.
        publish("/pn/a", 5);
        assertThat(byChannel(client.send(connect(client, acked, 0L))).get("/pn/a")).containsExactly("/pn/a=4", "/pn/a=5");
    }

    @Test
    @DisplayName("a channel subscribed exactly after its pattern delivered from it has one acknowledged stream: a lost batch comes again once per publish")
    void anExactSubscriptionAfterThePatternsChannelIsOneStream() throws Exception {
        BayeuxTestClient client = ackClient("/pd/*");
        publish("/pd/a", 1);
        ArrayNode first = client.send(connect(client, -1, 0L));
        assertThat(data(first)).containsExactly("/pd/a=1");
        long acked = first.get(0).get("ext").get("ack").asLong();
        assertThat(data(client.send(connect(client, acked, 0L)))).isEmpty();
        client.subscribe("/pd/a");
        publish("/pd/a", 2);
        publish("/pd/a", 3);
        // Bayeux: one copy per client per publish, however many of its subscriptions match.
        assertThat(data(client.send(connect(client, acked, 0L)))).containsExactly("/pd/a=2", "/pd/a=3");
        // That reply was lost: what it carried comes again, once.
        publish("/pd/a", 4);
        ArrayNode again = client.send(connect(client, acked, 0L));
        assertThat(data(again)).containsExactly("/pd/a=2", "/pd/a=3", "/pd/a=4");
        acked = again.get(0).get("ext").get("ack").asLong();
        publish("/pd/a", 5);
        assertThat(data(client.send(connect(client, acked, 0L)))).containsExactly("/pd/a=5");
    }

    private static Map<String, List<String>> byChannel(ArrayNode response) {
        Map<String, List<String>> byChannel = new LinkedHashMap<>();
        for (String d : data(response)) {
            byChannel.computeIfAbsent(d.substring(0, d.indexOf('=')), k -> new ArrayList<>()).add(d);
        }
        return byChannel;
    }
}
