package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The store and the broker are chosen independently, by name as the server does: each message reaches
 * subscribers exactly once through the broker chosen, and Redis's append script and the engine never both
 * publish one message.
 */
class BrokerChoiceTest {

    private final String prefix = RedisTestSupport.uniquePrefix();
    private final ChannelName room = ChannelName.of("/chat/" + prefix.replace(":", "-") + "room");
    private final RedisKeys keys = RedisTestSupport.keys(prefix);
    private RedisBroker onlooker;
    private final List<Message> seenOnRedis = new CopyOnWriteArrayList<>();

    /** Another node's view of Redis pub/sub: what reaches it was PUBLISHed there. */
    @BeforeEach
    void watchRedis() {
        onlooker = new RedisBroker(RedisTestSupport.options(prefix), keys);
        onlooker.start();
        onlooker.subscribe(room, seenOnRedis::add);
    }

    @AfterEach
    void cleanUp() {
        onlooker.stop();
        try (RedisClient redis = RedisTestSupport.rawClient()) {
            RedisTestSupport.deleteKeys(redis, prefix);
        }
    }

    private Herald start(String store, String broker) {
        Settings settings = Nodes.settings(RedisTestSupport.URL, prefix).with(CoreSettings.TRANSPORTS, "")
                .with(CoreSettings.STORE, store);
        if (broker != null) {
            settings = settings.with(CoreSettings.BROKER, broker);
        }
        return Herald.builder().settings(settings).pluginsFromSettings().build().start();
    }

    private static List<String> publishThree(Herald herald, ChannelName channel, Nodes.Collecting subscriber) {
        herald.engine().subscribe(Principal.ANONYMOUS, channel, Resume.live(), subscriber);
        for (int i = 1; i <= 3; i++) {
            herald.publish(channel, "{\"n\":" + i + "}");
        }
        return List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    }

    private void assertPublishedOnRedisOnce(List<String> payloads) {
        // Held for a while: a second PUBLISH of any message would arrive within it.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> seenOnRedis.size() == payloads.size());
        assertThat(seenOnRedis).extracting(m -> m.payload().utf8()).containsExactlyElementsOf(payloads);
    }

    @Test
    void aMemoryStoreWithTheRedisBrokerPublishesEveryMessageOnRedis() {
        try (Herald herald = start("memory", "redis")) {
            assertThat(herald.injector().getInstance(HistoryStore.class)).isInstanceOf(MemoryHistoryStore.class);
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(RedisBroker.class);
            Nodes.Collecting subscriber = new Nodes.Collecting();
            List<String> payloads = publishThree(herald, room, subscriber);
            // This node's own subscriber hears them back from Redis: there is no other way in.
            await().until(() -> subscriber.payloads(room).size() == 3);
            assertThat(subscriber.payloads(room)).containsExactlyElementsOf(payloads);
            assertPublishedOnRedisOnce(payloads);
            Message first = seenOnRedis.get(0);
            assertThat(first.position()).isEqualTo(subscriber.messages(room).get(0).position());
            assertThat(first.id()).isEqualTo(subscriber.messages(room).get(0).id());
        }
    }

    @Test
    void theRedisStoreWithTheMemoryBrokerDeliversEveryMessageThroughIt() {
        try (Herald herald = start("redis", "memory")) {
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(MemoryBroker.class);
            Nodes.Collecting subscriber = new Nodes.Collecting();
            List<String> payloads = publishThree(herald, room, subscriber);
            await().until(() -> subscriber.payloads(room).size() == 3);
            assertThat(subscriber.payloads(room)).containsExactlyElementsOf(payloads);
        }
    }

    @Test
    void theRedisStoreIsItsOwnDefaultBrokerAndEachMessageIsPublishedOnce() {
        try (Herald herald = start("redis", null)) {
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(RedisBroker.class);
            Nodes.Collecting subscriber = new Nodes.Collecting();
            List<String> payloads = publishThree(herald, room, subscriber);
            await().until(() -> subscriber.payloads(room).size() == 3);
            assertThat(subscriber.payloads(room)).containsExactlyElementsOf(payloads);
            assertPublishedOnRedisOnce(payloads);
        }
    }
}
