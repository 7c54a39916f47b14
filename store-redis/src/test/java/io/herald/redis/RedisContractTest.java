package io.herald.redis;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.PresenceStore;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import io.herald.testkit.contract.BrokerContract;
import io.herald.testkit.contract.HistoryStoreContract;
import io.herald.testkit.contract.PresenceStoreContract;
import io.herald.testkit.contract.SessionStoreContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/** Every testkit contract against the real Redis ({@code HERALD_REDIS_URL} or 127.0.0.1:6379). */
class RedisContractTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static final List<RedisPool> POOLS = new ArrayList<>();
    private static RedisClient redis;
    private static RedisPool pool;

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.rawClient();
        pool = started();
    }

    @AfterAll
    static void disconnect() {
        RedisTestSupport.deleteKeys(redis, PREFIX);
        POOLS.forEach(RedisPool::stop);
        redis.close();
    }

    /** A pool of its own: another node over the same Redis. */
    private static synchronized RedisPool started() {
        RedisPool p = RedisTestSupport.startedPool(PREFIX);
        POOLS.add(p);
        return p;
    }

    /** A prefix of its own under the class's, so that purging sees only this test's sessions and members. */
    private static String testPrefix() {
        return PREFIX + io.herald.core.RandomIds.next(8) + ":";
    }

    @Nested
    class History extends HistoryStoreContract {
        private RedisKeys keys;

        @Override
        protected HistoryStore createStore(Retention.Policy retention) {
            keys = RedisTestSupport.keys(testPrefix());
            return new RedisHistoryStore(pool, keys, retention);
        }

        @Override
        protected void loseHistory(ChannelName channel) {
            // What an eviction does: the channel's keys are gone.
            redis.del(keys.meta(channel), keys.log(channel));
        }

        @Override
        protected HistoryStore restartStore() {
            return new RedisHistoryStore(started(), keys, retention());
        }
    }

    @Nested
    class Brokers extends BrokerContract {
        private RedisKeys keys;

        @Override
        protected Broker createBroker() {
            String prefix = testPrefix();
            keys = RedisTestSupport.keys(prefix);
            return new RedisBroker(RedisTestSupport.options(prefix), keys);
        }

        @Override
        protected Broker createPeerBroker() {
            return new RedisBroker(RedisTestSupport.options(keys.prefix()), keys);
        }

        @Override
        protected boolean dropConnection(Broker broker) {
            // Only this broker's connection: the shared Redis serves other test runs too.
            try (Jedis admin = RedisTestSupport.admin(RedisTestSupport.URL)) {
                RedisTestSupport.killClient(admin, ((RedisBroker) broker).clientName());
            }
            return true;
        }
    }

    @Nested
    class Sessions extends SessionStoreContract {
        private RedisKeys keys;

        @Override
        protected SessionStore createStore() {
            keys = RedisTestSupport.keys(testPrefix());
            return new RedisSessionStore(pool, keys, Clock.systemUTC());
        }

        @Override
        protected SessionStore restartStore() {
            return new RedisSessionStore(started(), keys, Clock.systemUTC());
        }
    }

    @Nested
    class Presence extends PresenceStoreContract {
        private RedisKeys keys;

        @Override
        protected PresenceStore createStore() {
            keys = RedisTestSupport.keys(testPrefix());
            return new RedisPresenceStore(pool, keys, Clock.systemUTC());
        }

        @Override
        protected PresenceStore createPeerStore() {
            return new RedisPresenceStore(started(), keys, Clock.systemUTC());
        }
    }
}
