package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.SessionStore;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Durable client ids and history: a client that comes back with its client id (after its link was let go, a
 * page reload, a process restart through the handshake's {@code ext.herald.clientId}) gets everything published
 * meanwhile, in order, or an explicit gap; {@code ext.herald.after} replays; every delivery carries its position.
 */
class BayeuxDurableTest {

    private static final ChannelName NEWS = ChannelName.of("/news/today");
    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(BayeuxSettings.MAX_INTERVAL, "300ms").with(CoreSettings.HISTORY_SIZE, "20"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private BayeuxTestClient client() {
        return new BayeuxTestClient(server.bayeux());
    }

    private List<String> publish(int from, int to) {
        List<String> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            server.herald.publish(NEWS, "{\"n\":" + i + "}");
            sent.add("{\"n\":" + i + "}");
        }
        return sent;
    }

    private static List<String> data(List<JsonNode> deliveries) {
        return deliveries.stream().map(m -> m.get("data").toString()).toList();
    }

    @Test
    @DisplayName("a client the node let go of comes back with its client id and gets what was published meanwhile, in order")
    void resumesAfterTheLinkWasReleased() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe(NEWS.value());
        List<String> expected = new ArrayList<>(publish(0, 3));
        List<String> received = new ArrayList<>(data(deliveries(client.connect(0))));
        await().until(() -> server.server().local(client.clientId) == null);
        expected.addAll(publish(3, 8));
        // The reload case too: a connect without handshake, on a new HTTP connection, with the old client id.
        received.addAll(data(deliveries(client.connect(0))));
        assertThat(received).containsExactlyElementsOf(expected);
        expected.addAll(publish(8, 9));
        assertThat(data(deliveries(client.connect(0)))).containsExactly("{\"n\":8}");
        assertThat(server.server().stats().get("resumed")).isEqualTo(1L);
    }

    @Test
    @DisplayName("a restarted process handshakes with ext.herald.clientId, keeps its id and subscriptions, and gets what it missed")
    void handshakeExtResumes() throws Exception {
        BayeuxTestClient first = client().handshake();
        first.subscribe(NEWS.value());
        publish(0, 2);
        assertThat(deliveries(first.connect(0))).hasSize(2);
        List<String> missed = publish(2, 5);

        BayeuxTestClient restarted = client();
        ObjectNode handshake = restarted.handshakeMessage();
        handshake.putObject("ext").putObject("herald").put("clientId", first.clientId);
        JsonNode reply = restarted.send(handshake).get(0);
        assertThat(reply.get("successful").asBoolean()).isTrue();
        assertThat(reply.get("clientId").asText()).isEqualTo(first.clientId);
        assertThat(reply.get("ext").get("herald").get("resumed").asBoolean()).isTrue();
        restarted.clientId = first.clientId;
        restarted.subscribe(NEWS.value());
        assertThat(data(deliveries(restarted.connect(0)))).containsExactlyElementsOf(missed);

        BayeuxTestClient stranger = client();
        ObjectNode unknown = stranger.handshakeMessage();
        unknown.putObject("ext").putObject("herald").put("clientId", "noSuchClientId");
        JsonNode fresh = stranger.send(unknown).get(0);
        assertThat(fresh.get("clientId").asText()).isNotEqualTo("noSuchClientId");
        assertThat(fresh.get("ext").get("herald").get("resumed").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("away longer than retention: an explicit gap with SSE's missedevents JSON, then what history holds, in order")
    void gapBeyondRetention() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe(NEWS.value());
        publish(0, 1);
        assertThat(deliveries(client.connect(0))).hasSize(1);
        await().until(() -> server.server().local(client.clientId) == null);
        List<String> sent = publish(1, 31);
        List<JsonNode> got = deliveries(client.connect(0));
        JsonNode gap = got.get(0);
        assertThat(gap.get("channel").asText()).isEqualTo(NEWS.value());
        assertThat(gap.get("ext").get("herald").get("missedevents").asBoolean()).isTrue();
        JsonNode missed = gap.get("data").get("missed").get(0);
        assertThat(missed.get("channel").asText()).isEqualTo(NEWS.value());
        assertThat(missed.get("after").asLong()).isEqualTo(1);
        assertThat(missed.get("firstAvailable").asLong()).isEqualTo(12);
        assertThat(missed.get("count").asLong()).isEqualTo(10);
        assertThat(missed.get("reset").asBoolean()).isFalse();
        assertThat(data(got.subList(1, got.size()))).containsExactlyElementsOf(sent.subList(10, 30));
    }

    @Test
    @DisplayName("subscribe with ext.herald.after replays from that position; every delivery carries ext.herald.position")
    void replayFromPosition() throws Exception {
        List<Message> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stored.add(server.herald.publish(NEWS, "{\"n\":" + i + "}"));
        }
        BayeuxTestClient client = client().handshake();
        ObjectNode subscribe = client.subscribeMessage(NEWS.value());
        subscribe.putObject("ext").putObject("herald").put("after", stored.get(1).position().toString());
        assertThat(client.send(subscribe).get(0).get("successful").asBoolean()).isTrue();
        List<JsonNode> got = deliveries(client.connect(0));
        assertThat(data(got)).containsExactly("{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
        assertThat(got).extracting(m -> m.get("ext").get("herald").get("position").asText())
                .containsExactly(stored.get(2).position().toString(), stored.get(3).position().toString(), stored.get(4).position().toString());

        // Asking again from an earlier position on the same subscription replays again, without skipping.
        subscribe = client.subscribeMessage(NEWS.value());
        subscribe.putObject("ext").putObject("herald").put("after", stored.get(3).position().toString());
        client.send(subscribe);
        assertThat(data(deliveries(client.connect(0)))).containsExactly("{\"n\":4}");

        // A position from an epoch the channel no longer has: a reset gap, then live.
        subscribe = client.subscribeMessage("/news/other");
        subscribe.putObject("ext").putObject("herald").put("after", "oldEpoch:7");
        client.send(subscribe);
        server.herald.publish(ChannelName.of("/news/other"), "{\"live\":1}");
        List<JsonNode> reset = deliveries(client.connect(0));
        assertThat(reset.get(0).get("data").get("missed").get(0).get("reset").asBoolean()).isTrue();
        assertThat(reset.get(1).get("data").toString()).isEqualTo("{\"live\":1}");
    }

    @Test
    @DisplayName("a pattern subscription resumed from the store is told that messages may have been missed")
    void patternResumeWarns() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe("/news/*");
        await().until(() -> server.server().local(client.clientId) == null);
        server.herald.publish(NEWS, "{\"away\":true}");
        List<JsonNode> got = deliveries(client.connect(0));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).get("channel").asText()).isEqualTo("/news/*");
        assertThat(got.get(0).get("data").get("missed").get(0).get("reset").asBoolean()).isTrue();
        server.herald.publish(NEWS, "{\"back\":true}");
        assertThat(data(deliveries(client.connect(0)))).containsExactly("{\"back\":true}");
    }

    @Test
    @DisplayName("a connect acknowledging an older position (ext.herald.ack) replays from it, ahead of what was queued, once each")
    void acknowledgedPositionRewinds() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe(NEWS.value());
        List<Message> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stored.add(server.herald.publish(NEWS, "{\"n\":" + i + "}"));
        }
        assertThat(data(deliveries(client.connect(0)))).hasSize(3);
        publish(3, 5); // queued for the next connect
        ObjectNode connect = client.connectMessage(0L);
        connect.putObject("ext").putObject("herald").putObject("ack").put(NEWS.value(), stored.get(0).position().toString());
        assertThat(data(deliveries(client.send(connect)))).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
        publish(5, 6);
        assertThat(data(deliveries(client.connect(0)))).containsExactly("{\"n\":5}");
    }

    @Test
    @DisplayName("a client too slow to keep up is cut off with its queue, then catches up from history, in order")
    void slowClientCatchesUpFromHistory() throws Exception {
        server.close();
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(CoreSettings.SUBSCRIBER_QUEUE, "16").with(CoreSettings.HISTORY_SIZE, "100"));
        BayeuxTestClient client = client().handshake();
        client.subscribe(NEWS.value());
        List<String> sent = publish(0, 40);
        await().until(() -> (Long) server.server().stats().get("cutOffs") > 0);
        List<String> received = new ArrayList<>();
        // A reply carries what is queued when it leaves: one racing the catch-up may carry a single message.
        for (int round = 0; round < 20 && received.size() < sent.size(); round++) {
            received.addAll(data(deliveries(client.connect(0))));
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    @DisplayName("a client id connected longer than the session TTL stays alive, and expires one TTL after the node let go of it")
    void aSessionOutlivesItsTtlWhileConnectedAndExpiresOneTtlAfter() throws Exception {
        Duration ttl = Duration.ofMillis(1200);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (BayeuxTestServer shortLived = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(BayeuxSettings.MAX_INTERVAL, "1500ms").with(CoreSettings.SESSION_TTL, ttl.toMillis() + "ms"),
                b -> OptionalBinder.newOptionalBinder(b, Clock.class).setBinding().toInstance(clock))) {
            SessionStore store = shortLived.herald.sessions().store();
            BayeuxTestClient client = new BayeuxTestClient(shortLived.bayeux()).handshake();
            client.subscribe(NEWS.value());
            String id = client.clientId;
            for (int i = 0; i < 4; i++) { // 8/3 of the TTL, each step renewed by core's timer
                Instant now = clock.advance(ttl.multipliedBy(2).dividedBy(3));
                await().until(() -> store.find(id).map(r -> !r.expiresAt().isBefore(now.plus(ttl))).orElse(false));
                client.connect(0); // keeps the node from letting go (real time), renews nothing itself
            }
            clock.advance(Duration.ofMillis(100)); // so that letting go is told from the last renewal
            await().until(() -> shortLived.server().local(id) == null);
            assertThat(store.find(id).orElseThrow().expiresAt()).isEqualTo(clock.instant().plus(ttl));
            shortLived.herald.publish(NEWS, "{\"n\":1}");
            clock.advance(ttl.multipliedBy(2).dividedBy(3));
            assertThat(data(deliveries(client.connect(0)))).containsExactly("{\"n\":1}");

            clock.advance(Duration.ofMillis(100));
            await().until(() -> shortLived.server().local(id) == null);
            assertThat(store.find(id).orElseThrow().expiresAt()).isEqualTo(clock.instant().plus(ttl));
            clock.advance(ttl.plusMillis(1));
            assertThat(store.find(id)).isEmpty();
            assertThat(client.connect(0).get(0).get("error").asText()).isEqualTo("402::session_unknown");
        }
    }
}
