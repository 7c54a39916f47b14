package io.herald.redis;

import io.herald.api.Position;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.sse.SseEventId;
import io.herald.sse.SseTransportModule;
import io.herald.testkit.scenario.TwoNodeResumeScenario;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import redis.clients.jedis.RedisClient;

/** Two Herald servers sharing Redis (history and pub/sub broker) behave as one: the testkit scenario. */
class TwoNodeResumeTest extends TwoNodeResumeScenario {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();

    @AfterAll
    static void deleteKeys() {
        try (RedisClient redis = RedisTestSupport.rawClient()) {
            RedisTestSupport.deleteKeys(redis, PREFIX);
        }
    }

    @Override
    protected Herald node() {
        Settings settings = Nodes.settings(RedisTestSupport.URL, PREFIX).with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1")
                .with(HttpSettings.STOP_TIMEOUT, "500ms");
        return Nodes.build(settings, new HttpServerModule(), new SseTransportModule(settings)).start();
    }

    @Override
    protected String lastEventIdAfter(Position position) {
        return SseEventId.encode(List.of(position));
    }
}
