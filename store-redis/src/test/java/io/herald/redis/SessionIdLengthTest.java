package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.sse.SseTransportModule;
import io.herald.testkit.http.SseStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * On Redis every channel has an epoch of its own, so a plain SSE id for 100 channels is about 1.3 KB. A
 * stream bound to a durable session keeps the epochs in the session: its ids stay under 1 KiB, and a
 * reconnect on another node resumes all 100 channels exactly (G3, G5).
 */
class SessionIdLengthTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();

    @AfterAll
    static void deleteKeys() {
        try (RedisClient redis = RedisTestSupport.rawClient()) {
            RedisTestSupport.deleteKeys(redis, PREFIX);
        }
    }

    private static Herald server() {
        Settings settings = Nodes.settings(RedisTestSupport.URL, PREFIX).with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1")
                .with(HttpSettings.STOP_TIMEOUT, "500ms");
        return Nodes.build(settings, new HttpServerModule(), new SseTransportModule(settings)).start();
    }

    @Test
    void hundredChannelsOnHundredEpochsKeepIdsUnderOneKibAndResumeOnAnotherNode() throws Exception {
        Herald a = server();
        Herald b = server();
        List<ChannelName> channels = new ArrayList<>();
        StringBuilder query = new StringBuilder("/sse?session");
        for (int i = 0; i < 100; i++) {
            ChannelName channel = ChannelName.of("/ids/c" + i);
            channels.add(channel);
            query.append("&channel=").append(channel.value());
            a.publish(channel, "{\"warm\":" + i + "}");
        }
        try {
            URI onA = a.injector().getInstance(HeraldHttpServer.class).uri().resolve(query.toString());
            String lastId;
            try (SseStream stream = SseStream.open(onA, null)) {
                Awaitility.await().until(() -> !stream.events.isEmpty());
                for (int round = 0; round < 3; round++) {
                    for (ChannelName channel : channels) {
                        b.publish(channel, "{\"round\":" + round + "}");
                    }
                }
                Awaitility.await().until(() -> stream.messages().size() == 300);
                assertThat(stream.events).allSatisfy(e -> assertThat(e.id().length()).isLessThan(1024));
                lastId = stream.messages().get(299).id();
            }
            for (ChannelName channel : channels.subList(0, 10)) {
                a.publish(channel, "{\"missed\":true}");
            }
            URI onB = b.injector().getInstance(HeraldHttpServer.class).uri().resolve(query.toString());
            try (SseStream resumed = SseStream.open(onB, lastId)) {
                Awaitility.await().until(() -> resumed.messages().size() == 10);
                assertThat(resumed.messages()).allSatisfy(e -> assertThat(e.data()).isEqualTo("{\"missed\":true}"));
                assertThat(resumed.events).noneMatch(e -> "missedevents".equals(e.type()));
            }
        } finally {
            a.stop();
            b.stop();
        }
    }
}
