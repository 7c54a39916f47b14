package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** Dead sessions and presence leave Redis by Redis's own TTLs, whether or not any node purges them. */
class RedisExpiryTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static final long GRACE = RedisSessionStore.GRACE_MILLIS;
    private static RedisClient redis;
    private static RedisPool pool;
    private static RedisKeys keys;

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.rawClient();
        pool = RedisTestSupport.startedPool(PREFIX);
        keys = RedisTestSupport.keys(PREFIX);
    }

    @AfterAll
    static void disconnect() {
        RedisTestSupport.deleteKeys(redis, PREFIX);
        pool.stop();
        redis.close();
    }

    @Test
    void aSessionsKeyExpiresAGracePeriodAfterTheSession() {
        RedisSessionStore sessions = new RedisSessionStore(pool, keys, Clock.systemUTC());
        SessionRecord session = sessions.create("alice", Duration.ofMinutes(10));
        long ttl = Duration.ofMinutes(10).toMillis() + GRACE;

        assertThat(redis.pttl(keys.session(session.id()))).as("TTL of a new session's key").isBetween(ttl - 5_000, ttl);
        assertThat(redis.pttl(keys.sessionIndex(RedisKeys.bucketOf(session.id())))).as("TTL of its bucket's index").isBetween(ttl - 5_000, ttl);

        sessions.touch(session.id(), Duration.ofMinutes(1));
        long shorter = Duration.ofMinutes(1).toMillis() + GRACE;
        assertThat(redis.pttl(keys.session(session.id()))).as("TTL after a touch with a shorter TTL").isBetween(shorter - 5_000, shorter);
        assertThat(redis.zscore(keys.sessionIndex(RedisKeys.bucketOf(session.id())), keys.session(session.id())))
                .as("the index holds ids, not keys").isNull();
    }

    @Test
    void aChannelsPresenceExpiresAGracePeriodAfterItsLastMember() {
        RedisPresenceStore presence = new RedisPresenceStore(pool, keys, Clock.systemUTC());
        ChannelName channel = ChannelName.of("/expiry/room");
        presence.join(channel, "c1", "alice", Map.of(), Duration.ofMinutes(1));
        presence.join(channel, "c2", "bob", Map.of(), Duration.ofMinutes(10));
        long ttl = Duration.ofMinutes(10).toMillis() + GRACE;

        assertThat(redis.pttl(keys.presence(channel))).as("TTL of the channel's presence").isBetween(ttl - 5_000, ttl);
        assertThat(redis.pttl(keys.presenceIndex(RedisKeys.bucketOf(channel.value())))).as("TTL of the bucket's index")
                .isBetween(ttl - 5_000, ttl);
    }
}
