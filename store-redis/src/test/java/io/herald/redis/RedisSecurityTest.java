package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.sse.SseTransportModule;
import io.herald.testkit.http.SseStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * What the Redis store and the endpoints in front of it refuse or withhold: an outage is a 503 in JSON that
 * names neither the exception nor the Redis URL, and reading channels never published to writes nothing
 * (no one can create keys at request rate). Runs on a Redis of its own, which it stops.
 */
@DisplayName("Redis store security")
class RedisSecurityTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static PrivateRedis redis;
    private static Herald node;
    private static URI base;

    @BeforeAll
    static void start() {
        redis = PrivateRedis.start("pa55word", false);
        Settings settings = Nodes.settings(redis.url(), RedisTestSupport.uniquePrefix()).with(HttpSettings.PORT, "0")
                .with(HttpSettings.HOST, "127.0.0.1").with(HttpSettings.STOP_TIMEOUT, "500ms");
        node = Nodes.build(settings, new HttpServerModule(), new SseTransportModule(settings)).start();
        base = node.injector().getInstance(HeraldHttpServer.class).uri();
    }

    @AfterAll
    static void stop() {
        node.stop();
        redis.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("/api/cursor during an outage answers 503 JSON naming the channels, not the exception or the Redis URL")
    void cursorDuringOutage() throws Exception {
        assertThat(get("/api/cursor?channel=/sec/cursor").statusCode()).isEqualTo(200);
        redis.stop();
        try {
            HttpResponse<String> answer = get("/api/cursor?channel=/sec/cursor");

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(answer.body()).contains("/sec/cursor", "\"status\":503")
                    .doesNotContain("redis://", "pa55word", Integer.toString(redis.port()), "Exception", "<html");
        } finally {
            redis.restart();
        }
    }

    /** Issue: every SSE open or poll refused during an outage leaked a subscription, a feed or a connection entry. */
    @Test
    @DisplayName("streams and polls refused during an outage leave nothing behind")
    void refusedStreamsLeaveNothing() throws Exception {
        // Streams of other tests may still be open here: compare with what was there before.
        long subscriptions = node.engine().stats().subscriptions();
        long channels = node.engine().stats().channels();
        int connected = node.injector().getInstance(io.herald.sse.SseTransport.class).stats().get("connected") instanceof Integer n ? n : -1;
        redis.stop();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(get("/sse?channel=/sec/leak" + i).statusCode()).isEqualTo(503);
                assertThat(get("/sse?channel=/sec/leak" + i + "&polling").statusCode()).isEqualTo(503);
                assertThat(get("/sse?session&channel=/sec/leak" + i).statusCode()).isEqualTo(503);
            }
        } finally {
            redis.restart();
        }
        assertThat(node.engine().stats().subscriptions()).as("subscriptions after refused streams").isLessThanOrEqualTo(subscriptions);
        assertThat(node.engine().stats().channels()).as("channel feeds after refused streams").isLessThanOrEqualTo(channels);
        assertThat((Integer) node.injector().getInstance(io.herald.sse.SseTransport.class).stats().get("connected"))
                .as("connected streams after refused streams").isLessThanOrEqualTo(connected);
    }

    @Test
    @DisplayName("subscribing, polling, the cursor and history on channels never published to create no key")
    void readsCreateNoKeys() throws Exception {
        try (Jedis admin = RedisTestSupport.admin(redis.url())) {
            long before = admin.dbSize();
            for (int i = 0; i < 20; i++) {
                String channel = "/probe/never-" + i;
                HttpResponse<String> poll = get("/sse?channel=" + channel + "&polling");
                assertThat(poll.statusCode()).as("poll of %s: %s", channel, poll.body()).isEqualTo(200);
                HttpResponse<String> cursor = get("/api/cursor?channel=" + channel);
                assertThat(cursor.statusCode()).as("cursor of %s: %s %s", channel, cursor.headers().map(), cursor.body()).isEqualTo(200);
                node.engine().history(ChannelName.of(channel), null, 10);
                node.engine().head(ChannelName.of(channel));
                try (SseStream stream = SseStream.open(base.resolve("/sse?channel=" + channel), null)) {
                    await("the stream's first event").until(() -> !stream.events.isEmpty());
                }
            }
            assertThat(admin.dbSize()).as("keys in Redis after reading 20 channels never published to").isEqualTo(before);

            String epoch = node.engine().head(ChannelName.of("/probe/never-3")).epoch();
            assertThat(node.publish(ChannelName.of("/probe/never-3"), "{}").position()).as("first message after the reads")
                    .isEqualTo(new Position(epoch, 1));
        }
    }
}
