package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Publication;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SseStreamTest {

    private static final ChannelName A = ChannelName.of("/chat/a");
    private static final ChannelName B = ChannelName.of("/chat/b");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SseServer server;

    @BeforeEach
    void start() {
        server = new SseServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100").with(SseSettings.HEARTBEAT, "300ms"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private SseTestClient open(String query) throws Exception {
        return SseTestClient.connect(server.uri, "/sse?" + query);
    }

    private Message publish(ChannelName channel, String json) {
        return server.herald.publish(channel, json);
    }

    @Test
    void aStreamHasTheRightHeadersAndStartsWithRetryAndAnId() throws Exception {
        try (SseTestClient client = open("channel=chat/a&channel=/chat/b")) {
            assertThat(client.status).isEqualTo(200);
            assertThat(client.headers.get("content-type")).isEqualTo("text/event-stream");
            assertThat(client.headers.get("cache-control")).isEqualTo("no-cache");
            assertThat(client.headers.get("x-accel-buffering")).isEqualTo("no");
            assertThat(client.headers.get("access-control-allow-origin")).isEqualTo("*");
            assertThat(client.headers).doesNotContainKey("content-length").doesNotContainKey("content-encoding");
            SseEvent first = client.next();
            assertThat(first.type()).isEqualTo("lastEventId");
            assertThat(first.id()).matches("[A-Za-z0-9._]+").isEqualTo(first.data());
            assertThat(client.retries).containsExactly("2000");
        }
    }

    /** Issue: a stream whose client went away was freed only at its next failed write or its idle timeout. */
    @Test
    void aStreamWhoseClientClosesIsFreedAtOnce() throws Exception {
        SseStats stats = server.herald.injector().getInstance(SseTransport.class).stats;
        try (SseServer quiet = new SseServer(Settings.defaults().with(SseSettings.HEARTBEAT, "60s"))) {
            SseStats quietStats = quiet.herald.injector().getInstance(SseTransport.class).stats;
            SseTestClient client = SseTestClient.connect(quiet.uri, "/sse?channel=chat/a");
            client.next();
            assertThat(quietStats.connected.get()).isEqualTo(1);
            client.close();
            // No heartbeat for a minute and nothing published: only the closed socket can tell.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> quietStats.connected.get() == 0);
            assertThat(quiet.herald.engine().stats().subscriptions()).isZero();
        }
        assertThat(stats.connected.get()).isZero();
    }

    @Test
    void messagesOfEveryChannelArriveUnchangedWithTheirType() throws Exception {
        try (SseTestClient client = open("channel=chat/a&channel=chat/b")) {
            client.next();
            publish(A, "{\"n\": 1,  \"spaced\" : true}");
            server.herald.publish(new Publication(B, null, "update", Payload.utf8("{\"n\":2}"), null, Map.of()));
            server.herald.publish(new Publication(A, null, null, Payload.utf8("line one\nline two\r\nline three\rfour"), "text/plain", Map.of()));
            SseEvent one = client.next();
            assertThat(one.data()).isEqualTo("{\"n\": 1,  \"spaced\" : true}");
            assertThat(one.type()).isNull();
            SseEvent two = client.next();
            assertThat(two.type()).isEqualTo("update");
            assertThat(two.data()).isEqualTo("{\"n\":2}");
            assertThat(client.next().data()).isEqualTo("line one\nline two\nline three\nfour");
            assertThat(two.id()).isNotEqualTo(one.id());
        }
    }

    @Test
    void heartbeatsKeepIdleStreamsAlive() throws Exception {
        try (SseTestClient client = open("channel=chat/a")) {
            client.next();
            await().atMost(Duration.ofSeconds(5)).until(() -> client.comments.size() >= 2);
        }
    }

    @Test
    void resumingWithTheLastEventIdHeaderDeliversExactlyWhatWasMissed() throws Exception {
        String lastId;
        try (SseTestClient client = open("channel=chat/a&channel=chat/b")) {
            client.next();
            publish(A, "{\"a\":1}");
            publish(B, "{\"b\":1}");
            client.nextMessage();
            lastId = client.nextMessage().id();
        }
        publish(A, "{\"a\":2}");
        publish(B, "{\"b\":2}");
        publish(A, "{\"a\":3}");
        try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=chat/a&channel=chat/b&lastEventId=bogus",
                Map.of("Last-Event-ID", lastId))) {
            // Order holds per channel; channels catch up independently.
            java.util.List<String> caughtUp = java.util.List.of(client.nextMessage().data(), client.nextMessage().data(),
                    client.nextMessage().data());
            assertThat(caughtUp).containsExactlyInAnyOrder("{\"a\":2}", "{\"b\":2}", "{\"a\":3}");
            assertThat(caughtUp.indexOf("{\"a\":2}")).isLessThan(caughtUp.indexOf("{\"a\":3}"));
            publish(B, "{\"b\":3}");
            assertThat(client.nextMessage().data()).isEqualTo("{\"b\":3}");
            assertThat(client.events).isEmpty();
        }
    }

    @Test
    void theLastEventIdQueryParameterResumesWhenNoHeaderIsSent() throws Exception {
        String lastId;
        try (SseTestClient client = open("channel=chat/a")) {
            client.next();
            publish(A, "{\"a\":1}");
            lastId = client.nextMessage().id();
        }
        publish(A, "{\"a\":2}");
        try (SseTestClient client = open("channel=chat/a&lastEventId=" + lastId)) {
            SseEvent event = client.next();
            assertThat(event.data()).isEqualTo("{\"a\":2}");
        }
    }

    @Test
    void missingMoreThanRetentionGivesMissedEventsWithExactCounts() throws Exception {
        String lastId;
        try (SseTestClient client = open("channel=chat/a&channel=chat/b")) {
            client.next();
            publish(A, "{\"a\":0}");
            lastId = client.nextMessage().id();
        }
        for (int i = 1; i <= 150; i++) {
            publish(A, "{\"a\":" + i + "}");
        }
        publish(B, "{\"b\":1}");
        try (SseTestClient client = open("channel=chat/a&channel=chat/b&lastEventId=" + lastId)) {
            SseEvent missed = client.next();
            assertThat(missed.type()).isEqualTo("missedevents");
            JsonNode entry = JSON.readTree(missed.data()).get("missed").get(0);
            assertThat(entry.get("channel").asText()).isEqualTo("/chat/a");
            assertThat(entry.get("after").asLong()).isEqualTo(1);
            assertThat(entry.get("firstAvailable").asLong()).isEqualTo(52);
            assertThat(entry.get("count").asLong()).isEqualTo(50);
            assertThat(entry.get("reset").asBoolean()).isFalse();
            assertThat(JSON.readTree(missed.data()).get("missed")).hasSize(1);
            int received = 0;
            String first = null;
            while (received < 101) {
                SseEvent e = client.nextMessage();
                if (first == null) {
                    first = e.data();
                }
                received++;
            }
            assertThat(first).isEqualTo("{\"a\":51}");
            assertThat(client.events).isEmpty();
        }
    }

    @Test
    void anUnparseableIdIsAResetForEveryChannelNeverAnError() throws Exception {
        publish(A, "{\"a\":1}");
        try (SseTestClient client = open("channel=chat/a&channel=chat/b&lastEventId=%3Cgarbage%3E")) {
            assertThat(client.status).isEqualTo(200);
            SseEvent missed = client.next();
            assertThat(missed.type()).isEqualTo("missedevents");
            JsonNode list = JSON.readTree(missed.data()).get("missed");
            assertThat(list).hasSize(2);
            assertThat(list.get(0).get("reset").asBoolean()).isTrue();
            assertThat(list.get(0).get("count").isNull()).isTrue();
            assertThat(list.get(0).get("firstAvailable").asLong()).isEqualTo(2);
            publish(A, "{\"a\":2}");
            assertThat(client.nextMessage().data()).isEqualTo("{\"a\":2}");
        }
    }

    @Test
    void anIdFromAnotherEpochIsAReset() throws Exception {
        publish(A, "{\"a\":1}");
        try (SseTestClient client = open("channel=chat/a&lastEventId=OldEpoch9.5")) {
            SseEvent missed = client.next();
            assertThat(missed.type()).isEqualTo("missedevents");
            JsonNode entry = JSON.readTree(missed.data()).get("missed").get(0);
            assertThat(entry.get("reset").asBoolean()).isTrue();
            assertThat(entry.get("after").asLong()).isEqualTo(5);
            assertThat(missed.id()).doesNotContain("OldEpoch9");
        }
    }

    @Test
    void theCursorEndpointGivesTheIdOfTheCurrentHeads() throws Exception {
        publish(A, "{\"before\":1}");
        String cursor;
        try (SseTestClient client = SseTestClient.connect(server.uri, "/api/cursor?channel=chat/a&channel=chat/b")) {
            JsonNode body = JSON.readTree(client.awaitBody());
            cursor = body.get("lastEventId").asText();
            assertThat(body.get("channels")).hasSize(2);
        }
        publish(A, "{\"after\":1}");
        try (SseTestClient client = open("channel=chat/b&channel=chat/a&lastEventId=" + cursor)) {
            assertThat(client.next().data()).isEqualTo("{\"after\":1}");
        }
    }

    @Test
    void statsSpeakJsonWhenAskedTo() throws Exception {
        try (SseTestClient stream = open("channel=chat/a")) {
            stream.next();
            publish(A, "{}");
            stream.next();
            try (SseTestClient stats = SseTestClient.connect(server.uri, "/sse", Map.of("Accept", "application/json"))) {
                JsonNode body = JSON.readTree(stats.awaitBody());
                assertThat(body.get("connected").asInt()).isEqualTo(1);
                assertThat(body.get("served").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(body.get("events").asInt()).isEqualTo(1);
                assertThat(body.has("missing")).isTrue();
                assertThat(body.has("bytesSent")).isTrue();
                assertThat(body.has("cutOffs")).isTrue();
            }
        }
    }
}
