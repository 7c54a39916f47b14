package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.ChannelName;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams bound to a durable session ({@code ?session}): short ids that name the session, exact resume. */
class SseSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseServer server;

    @BeforeEach
    void start() {
        server = new SseServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String query(List<ChannelName> channels) {
        StringBuilder q = new StringBuilder("/sse?session");
        channels.forEach(c -> q.append("&channel=").append(c.value()));
        return q.toString();
    }

    @Test
    void aSessionStreamResumesEveryChannelWithAShortIdThatNamesTheSession() throws Exception {
        List<ChannelName> channels = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            channels.add(ChannelName.of("/room/r" + i));
        }
        String lastId;
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels))) {
            SseEvent first = client.next();
            assertThat(first.type()).isEqualTo("lastEventId");
            assertThat(first.id()).matches("[A-Za-z0-9]{22}-[A-Za-z0-9._]+");
            for (ChannelName channel : channels) {
                server.herald.publish(channel, "{\"at\":\"" + channel.value() + "\"}");
            }
            SseEvent event = null;
            for (int i = 0; i < 100; i++) {
                event = client.next();
                assertThat(event.id().length()).isLessThan(1024);
            }
            lastId = event.id();
            assertThat(lastId).startsWith(first.id().substring(0, 23));
        }
        server.herald.publish(channels.get(7), "{\"while\":\"away\"}");
        server.herald.publish(channels.get(99), "{\"while\":\"away too\"}");
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels), Map.of("Last-Event-ID", lastId))) {
            assertThat(client.next().data()).isEqualTo("{\"while\":\"away\"}");
            SseEvent second = client.next();
            assertThat(second.data()).isEqualTo("{\"while\":\"away too\"}");
            assertThat(second.id()).startsWith(lastId.substring(0, 23));
        }
    }

    @Test
    void anUnknownSessionGetsANewSessionAndAResetNotAnError() throws Exception {
        List<ChannelName> channels = List.of(ChannelName.of("/a"), ChannelName.of("/b"));
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels),
                Map.of("Last-Event-ID", "AAAAAAAAAAAAAAAAAAAAAA-1_2"))) {
            assertThat(client.status).isEqualTo(200);
            SseEvent missed = client.next();
            assertThat(missed.type()).isEqualTo("missedevents");
            JsonNode entries = JSON.readTree(missed.data()).get("missed");
            assertThat(entries).hasSize(2);
            entries.forEach(e -> assertThat(e.get("reset").asBoolean()).isTrue());
            assertThat(missed.id()).doesNotStartWith("AAAAAAAAAAAAAAAAAAAAAA-").contains("-");
        }
    }

    @Test
    void aSessionStreamLongerThanTheTtlKeepsItsSessionWhichExpiresOneTtlAfterTheStreamEnds() throws Exception {
        Duration ttl = Duration.ofMillis(1200);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ChannelName room = ChannelName.of("/room/long");
        try (SseServer shortLived = new SseServer(Settings.defaults().with(CoreSettings.SESSION_TTL, ttl.toMillis() + "ms"), 0,
                b -> OptionalBinder.newOptionalBinder(b, Clock.class).setBinding().toInstance(clock))) {
            SessionStore store = shortLived.herald.sessions().store();
            String lastId;
            String session;
            try (SseTestClient client = SseTestClient.connect(shortLived.uri, query(List.of(room)))) {
                session = SseEventId.session(client.next().id());
                for (int i = 0; i < 4; i++) { // 8/3 of the TTL, each step renewed by core's timer
                    Instant now = clock.advance(ttl.multipliedBy(2).dividedBy(3));
                    await().until(() -> expiresAt(store, session).map(e -> !e.isBefore(now.plus(ttl))).orElse(false));
                }
                shortLived.herald.publish(room, "{\"n\":1}");
                lastId = client.next().id();
                clock.advance(Duration.ofMillis(100)); // so that the end of the stream is told from the last renewal
            }
            Instant ended = clock.instant();
            await().until(() -> expiresAt(store, session).orElseThrow().equals(ended.plus(ttl)));
            shortLived.herald.publish(room, "{\"n\":2}");
            clock.advance(ttl.multipliedBy(2).dividedBy(3));
            try (SseTestClient client = SseTestClient.connect(shortLived.uri, query(List.of(room)), Map.of("Last-Event-ID", lastId))) {
                SseEvent missed = client.next();
                assertThat(missed.data()).isEqualTo("{\"n\":2}");
                assertThat(SseEventId.session(missed.id())).isEqualTo(session);
                clock.advance(Duration.ofMillis(100));
            }
            Instant endedAgain = clock.instant();
            await().until(() -> expiresAt(store, session).orElseThrow().equals(endedAgain.plus(ttl)));
            clock.advance(ttl.plusMillis(1));
            assertThat(store.find(session)).isEmpty();
        }
    }

    private static Optional<Instant> expiresAt(SessionStore store, String session) {
        return store.find(session).map(SessionRecord::expiresAt);
    }
}
