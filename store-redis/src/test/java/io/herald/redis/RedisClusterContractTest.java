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
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Every testkit contract that {@link RedisContractTest} runs on one Redis, run on a Redis Cluster of three
 * masters and three replicas ({@link RedisCluster}): every script and multi-key command must touch one
 * slot (a {@code CROSSSLOT} or non-local key error fails them), and channels, sessions and presence buckets
 * spread over the masters.
 */
@ExtendWith(RedisCluster.Shared.class)
class RedisClusterContractTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static final List<RedisPool> POOLS = new ArrayList<>();
    private static RedisCluster cluster;
    private static RedisPool pool;

    @BeforeAll
    static void connect() {
        cluster = RedisCluster.shared();
        pool = started();
    }

    @AfterAll
    static void disconnect() {
        RedisTestSupport.deleteClusterKeys(cluster.ports(), PREFIX);
        POOLS.forEach(RedisPool::stop);
    }

    /** A pool of its own: another node over the same cluster. */
    private static synchronized RedisPool started() {
        RedisPool p = RedisTestSupport.startedPool(cluster.url(), PREFIX);
        POOLS.add(p);
        return p;
    }

    private static String testPrefix() {
        return PREFIX + io.herald.core.RandomIds.next(8) + ":";
    }

    @Nested
    class History extends HistoryStoreContract {
        private RedisKeys keys;

        @Override
        protected HistoryStore createStore(Retention.Policy retention) {
            keys = RedisTestSupport.keys(cluster.url(), testPrefix());
            return new RedisHistoryStore(pool, keys, retention);
        }

        @Override
        protected void loseHistory(ChannelName channel) {
            // What an eviction does: the channel's keys are gone (one slot: one DEL).
            pool.call(c -> c.del(keys.meta(channel), keys.log(channel)), "delete the history of " + channel);
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
            keys = RedisTestSupport.keys(cluster.url(), prefix);
            return new RedisBroker(RedisTestSupport.options(cluster.url(), prefix), keys);
        }

        @Override
        protected Broker createPeerBroker() {
            return new RedisBroker(RedisTestSupport.options(cluster.url(), keys.prefix()), keys);
        }

        @Override
        protected boolean dropConnection(Broker broker) {
            // Its connection to one master: the broker replaces every one and resyncs.
            String name = ((RedisBroker) broker).clientName();
            for (int port : cluster.ports()) {
                try (Jedis node = RedisCluster.admin(port)) {
                    if (node.clientList().contains(" name=" + name + " ")) {
                        RedisTestSupport.killClient(node, name);
                        return true;
                    }
                }
            }
            throw new AssertionError("no node of the cluster has a connection named " + name);
        }
    }

    @Nested
    class Sessions extends SessionStoreContract {
        private RedisKeys keys;

        @Override
        protected SessionStore createStore() {
            keys = RedisTestSupport.keys(cluster.url(), testPrefix());
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
            keys = RedisTestSupport.keys(cluster.url(), testPrefix());
            return new RedisPresenceStore(pool, keys, Clock.systemUTC());
        }

        @Override
        protected PresenceStore createPeerStore() {
            return new RedisPresenceStore(started(), keys, Clock.systemUTC());
        }
    }
}
