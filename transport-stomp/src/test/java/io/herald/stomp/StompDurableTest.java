package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.ChannelName;
import io.herald.api.SessionStore;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Durable subscriptions, RabbitMQ style: they outlive the connection and resume with what was missed. */
class StompDurableTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "20"));
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

    private static String[] durable(String... more) {
        List<String> h = new ArrayList<>(List.of("durable", "true", "auto-delete", "false", "ack", "client-individual"));
        h.addAll(List.of(more));
        return h.toArray(String[]::new);
    }

    @Test
    void aDroppedConnectionResumesWithTheUnackedRedeliveredThenWhatWasPublishedMeanwhile() throws Exception {
        try (StompTestClient first = StompTestClient.connected(server.ws)) {
            first.subscribe("sub-0", "/topic/durable.a", durable());
            publish("/durable/a", 1, 3);
            StompFrame one = first.next("MESSAGE");
            first.next("MESSAGE");
            first.next("MESSAGE");
            first.sendAndAwaitReceipt("ACK", headers("id", one.header("ack")), "");
            first.kill();
        }
        publish("/durable/a", 4, 5);
        try (StompTestClient second = StompTestClient.connected(server.ws)) {
            second.subscribe("sub-0", "/topic/durable.a", durable());
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                StompFrame m = second.next("MESSAGE");
                got.add(m.text() + (m.header("redelivered").equals("true") ? "r" : ""));
                second.send("ACK", headers("id", m.header("ack")));
            }
            assertThat(got).containsExactly("2r", "3r", "4", "5");
            second.assertNothingWithin(Duration.ofMillis(300));
        }
    }

    @Test
    void autoAckDurableResumesAfterACleanDisconnect() throws Exception {
        try (StompTestClient first = StompTestClient.connected(server.ws)) {
            first.subscribe("d", "/topic/durable.auto", "persistent", "true");
            publish("/durable/auto", 1, 2);
            first.next("MESSAGE");
            first.next("MESSAGE");
            first.send("DISCONNECT", headers("receipt", "bye"));
            first.next("RECEIPT");
        }
        publish("/durable/auto", 3, 4);
        try (StompTestClient second = StompTestClient.connected(server.ws)) {
            second.subscribe("d", "/topic/durable.auto", "persistent", "true");
            assertThat(List.of(second.next("MESSAGE").text(), second.next("MESSAGE").text())).containsExactly("3", "4");
        }
    }

    @Test
    void unsubscribeWithTheDurableHeadersDeletesIt() throws Exception {
        try (StompTestClient first = StompTestClient.connected(server.ws)) {
            first.subscribe("d", "/topic/durable.del", durable());
            first.sendAndAwaitReceipt("UNSUBSCRIBE", headers("id", "d", "durable", "true", "auto-delete", "false"), "");
        }
        publish("/durable/del", 1, 1);
        try (StompTestClient second = StompTestClient.connected(server.ws)) {
            second.subscribe("d", "/topic/durable.del", durable());
            second.assertNothingWithin(Duration.ofMillis(300));
        }
    }

    @Test
    void theSameIdOnAnotherDestinationIsAnotherSubscription() throws Exception {
        try (StompTestClient first = StompTestClient.connected(server.ws)) {
            first.subscribe("sub-0", "/topic/durable.x", durable());
            first.kill();
        }
        publish("/durable/x", 1, 1);
        try (StompTestClient second = StompTestClient.connected(server.ws)) {
            second.subscribe("sub-0", "/topic/durable.y", durable());
            second.assertNothingWithin(Duration.ofMillis(300));
            second.subscribe("sub-1", "/topic/durable.x", durable());
            second.assertNothingWithin(Duration.ofMillis(300));
        }
    }

    @Test
    void aReconnectingClientTakesTheSubscriptionOverFromItsStaleConnection() throws Exception {
        try (StompTestClient stale = StompTestClient.connected(server.ws);
             StompTestClient fresh = StompTestClient.connected(server.ws)) {
            stale.subscribe("sub-0", "/topic/durable.take", durable());
            publish("/durable/take", 1, 1);
            stale.next("MESSAGE");
            fresh.subscribe("sub-0", "/topic/durable.take", durable());
            StompFrame again = fresh.next("MESSAGE");
            assertThat(again.text()).isEqualTo("1");
            assertThat(again.header("redelivered")).isEqualTo("true");
            publish("/durable/take", 2, 2);
            assertThat(fresh.next("MESSAGE").text()).isEqualTo("2");
            stale.assertNothingWithin(Duration.ofMillis(300));
        }
    }

    @Test
    void nackRedeliversAtOnce() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("n", "/topic/durable.nack", durable());
            publish("/durable/nack", 1, 2);
            StompFrame one = c.next("MESSAGE");
            StompFrame two = c.next("MESSAGE");
            c.send("ACK", headers("id", two.header("ack")));
            c.send("NACK", headers("id", one.header("ack")));
            StompFrame again = c.next("MESSAGE");
            assertThat(again.text()).isEqualTo("1");
            assertThat(again.header("redelivered")).isEqualTo("true");
            c.send("ACK", headers("id", again.header("ack")));
            publish("/durable/nack", 3, 3);
            assertThat(c.next("MESSAGE").text()).isEqualTo("3");
        }
    }

    @Test
    void aSubscriptionConnectedLongerThanTheSessionTtlLivesAndExpiresOneTtlAfterItsConnectionEnds() throws Exception {
        Duration ttl = Duration.ofMillis(1200);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (StompServer shortLived = new StompServer(Settings.defaults().with(CoreSettings.SESSION_TTL, ttl.toMillis() + "ms"),
                b -> OptionalBinder.newOptionalBinder(b, Clock.class).setBinding().toInstance(clock))) {
            DurableSubscriptions durables = shortLived.transport().durables;
            DurableSubscriptions.Key key = new DurableSubscriptions.Key("anonymous", "/topic/durable.long", "long");
            DurableSubscriptions.Key queue = new DurableSubscriptions.Key("queue", "/queue/long", "");
            SessionStore store = shortLived.herald.sessions().store();
            String id;
            String queueId;
            try (StompTestClient first = StompTestClient.connected(shortLived.ws)) {
                first.subscribe("long", "/topic/durable.long", durable());
                first.subscribe("jobs", "/queue/long", "ack", "client-individual");
                id = durables.sessionId(key).orElseThrow();
                queueId = durables.sessionId(queue).orElseThrow();
                for (int i = 0; i < 4; i++) { // 8/3 of the TTL, each step renewed by core's timer
                    Instant now = clock.advance(ttl.multipliedBy(2).dividedBy(3));
                    Awaitility.await().until(() -> renewedFrom(store, id, now, ttl) && renewedFrom(store, queueId, now, ttl));
                }
                first.kill();
            }
            Awaitility.await().until(() -> shortLived.transport().connected() == 0);
            Instant dropped = clock.instant();
            assertThat(store.find(id).orElseThrow().expiresAt()).isEqualTo(dropped.plus(ttl));
            assertThat(store.find(queueId).orElseThrow().expiresAt()).isEqualTo(dropped.plus(ttl));
            shortLived.herald.publish(ChannelName.of("/durable/long"), "while away");
            clock.advance(ttl.multipliedBy(2).dividedBy(3));
            try (StompTestClient second = StompTestClient.connected(shortLived.ws)) {
                second.subscribe("long", "/topic/durable.long", durable());
                StompFrame m = second.next("MESSAGE");
                assertThat(m.text()).isEqualTo("while away");
                second.send("ACK", headers("id", m.header("ack")));
                second.send("DISCONNECT", headers("receipt", "bye"));
                second.next("RECEIPT");
            }
            Awaitility.await().until(() -> shortLived.transport().connected() == 0);
            Instant left = clock.instant();
            assertThat(store.find(id).orElseThrow().expiresAt()).isEqualTo(left.plus(ttl));
            clock.advance(ttl.dividedBy(2)); // 7/6 of the TTL since the queue's consumer dropped
            assertThat(store.find(queueId)).isEmpty();
            assertThat(store.find(id)).isPresent();
            clock.advance(ttl.dividedBy(2).plusMillis(1));
            assertThat(store.find(id)).isEmpty();
            Awaitility.await().until(() -> durables.sessionId(key).isEmpty() && durables.sessionId(queue).isEmpty());
        }
    }

    private static boolean renewedFrom(SessionStore store, String id, Instant now, Duration ttl) {
        return store.find(id).map(r -> !r.expiresAt().isBefore(now.plus(ttl))).orElse(false);
    }

    @Test
    void durableWithoutIdIsRefused() throws Exception {
        try (StompTestClient c = new StompTestClient(server.ws)) {
            c.send("CONNECT", headers());
            c.next("CONNECTED");
            c.send("SUBSCRIBE", headers("destination", "/topic/durable.noid", "durable", "true"));
            assertThat(c.next("ERROR").header("message")).isEqualTo("Header 'id' is required for durable subscriptions");
            c.awaitClosed();
        }
    }

    @Test
    void whatRetentionLostIsReportedWithHeraldMissedHeaders() throws Exception {
        try (StompTestClient first = StompTestClient.connected(server.ws)) {
            first.subscribe("g", "/topic/durable.gap", "durable", "true");
            publish("/durable/gap", 1, 1);
            first.next("MESSAGE");
            first.kill();
        }
        // Published only once the server saw the client go: with ack:auto, a message written to the dying socket
        // before the server noticed counts as delivered, and the resume then rightly has nothing to report.
        Awaitility.await().until(() -> server.transport().connected() == 0);
        publish("/durable/gap", 2, 31); // history keeps 20: 2..11 are gone
        try (StompTestClient second = StompTestClient.connected(server.ws)) {
            second.subscribe("g", "/topic/durable.gap", "durable", "true");
            StompFrame gap = second.next("MESSAGE");
            assertThat(gap.header("herald-missed")).isEqualTo("10");
            assertThat(gap.header("herald-missed-after")).isEqualTo("1");
            assertThat(gap.header("herald-missed-first-available")).isEqualTo("12");
            assertThat(gap.header("herald-missed-reset")).isEqualTo("false");
            assertThat(gap.header("subscription")).isEqualTo("g");
            assertThat(gap.body()).isEmpty();
            assertThat(second.next("MESSAGE").text()).isEqualTo("12");
        }
    }

    @Test
    void aPlainSubscriptionResumingBeyondRetentionIsToldToo() throws Exception {
        var first = server.herald.publish(ChannelName.of("/plain/gap"), "0");
        publish("/plain/gap", 1, 25);
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("p", "/topic/plain.gap", "herald-resume-from", first.position().toString());
            StompFrame gap = c.next("MESSAGE");
            assertThat(gap.header("herald-missed")).isEqualTo("5");
            assertThat(c.next("MESSAGE").text()).isEqualTo("6");
        }
    }

    /**
     * What made DurableScenarioTest stall: a connected durable subscriber paused by its full window keeps its
     * backlog in history, not in a queue of its own, so a publisher that runs more than the retention ahead
     * evicts messages it has not read yet. When acks let it go on, it is told what it missed (G2), then
     * resumes with the oldest message history still holds; the missed ones never come.
     */
    @Test
    void aSubscriberPausedByItsWindowThatFallsBehindRetentionIsToldWhatItMissed() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("w", "/topic/durable.window", durable("prefetch-count", "5"));
            publish("/durable/window", 1, 30); // history keeps 20: 1..10 are gone once 30 is in
            List<StompFrame> window = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                StompFrame m = c.next("MESSAGE");
                assertThat(m.text()).isEqualTo(String.valueOf(i));
                window.add(m);
            }
            for (StompFrame m : window) {
                c.send("ACK", headers("id", m.header("ack")));
            }
            StompFrame gap = c.next("MESSAGE");
            assertThat(gap.header("herald-missed")).isEqualTo("5");
            assertThat(gap.header("herald-missed-after")).isEqualTo("5");
            assertThat(gap.header("herald-missed-first-available")).isEqualTo("11");
            assertThat(gap.body()).isEmpty();
            assertThat(c.next("MESSAGE").text()).isEqualTo("11");
        }
    }
}
