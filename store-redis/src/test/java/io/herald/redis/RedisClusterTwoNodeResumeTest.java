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
import org.junit.jupiter.api.extension.ExtendWith;

/** Two Herald servers sharing a Redis Cluster (history and sharded pub/sub) behave as one: the testkit scenario. */
@ExtendWith(RedisCluster.Shared.class)
class RedisClusterTwoNodeResumeTest extends TwoNodeResumeScenario {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.deleteClusterKeys(RedisCluster.shared().ports(), PREFIX);
    }

    @Override
    protected Herald node() {
        Settings settings = Nodes.settings(RedisCluster.shared().url(), PREFIX).with(HttpSettings.PORT, "0")
                .with(HttpSettings.HOST, "127.0.0.1").with(HttpSettings.STOP_TIMEOUT, "500ms");
        return Nodes.build(settings, new HttpServerModule(), new SseTransportModule(settings)).start();
    }

    @Override
    protected String lastEventIdAfter(Position position) {
        return SseEventId.encode(List.of(position));
    }
}
