package io.herald.rabbitmq;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.core.Herald;
import io.herald.core.Subscriber;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.RandomIds;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** In-JVM Herald nodes with Redis as history and RabbitMQ as broker, and a subscriber that keeps what it gets. */
final class RabbitNodes {

    static final String REDIS = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");

    private RabbitNodes() {
    }

    /** A fresh Redis key prefix, so a run sees nothing of another's. */
    static String prefix() {
        return "herald-rmq-test:" + RandomIds.next(10) + ":";
    }

    static Settings settings(String prefix) {
        return RabbitTestSupport.settings(Map.of(RedisSettings.URL.key(), REDIS, RedisSettings.PREFIX.key(), prefix,
                CoreSettings.HISTORY_SIZE.key(), "100000"));
    }

    /** A started node. */
    static Herald start(String prefix) {
        Settings settings = settings(prefix);
        return Herald.builder().settings(settings).store(new RedisStoreModule(settings)).broker(new RabbitBrokerModule(settings))
                .build().start();
    }

    static RabbitBroker broker(Herald node) {
        return node.injector().getInstance(RabbitBroker.class);
    }

    /** Everything history holds for {@code channel}. */
    static List<Message> history(Herald node, ChannelName channel) {
        List<Message> all = new ArrayList<>();
        Position after = null;
        while (true) {
            Replay page = node.engine().history(channel, after, 1000);
            all.addAll(page.messages());
            if (page.complete()) {
                return all;
            }
            after = page.lastOr(after);
        }
    }

    /** A subscriber that accepts everything and keeps it. */
    static final class Collecting implements Subscriber {
        private final List<Message> messages = new ArrayList<>();
        private final List<Gap> gaps = new ArrayList<>();

        @Override
        public synchronized boolean deliver(Message message) {
            messages.add(message);
            return true;
        }

        @Override
        public synchronized void gap(Gap gap) {
            gaps.add(gap);
        }

        synchronized List<Message> messages() {
            return List.copyOf(messages);
        }

        synchronized List<Gap> gaps() {
            return List.copyOf(gaps);
        }
    }
}
