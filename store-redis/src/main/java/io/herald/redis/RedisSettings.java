package io.herald.redis;

import io.herald.core.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The settings of the {@code redis} store, beside {@link io.herald.core.config.CoreSettings#REDIS_URL}
 * ({@code --redis-url}, {@code HERALD_REDIS_URL}): {@code redis://[user:password@]host:port/db}, or
 * {@code rediss://} for TLS. Constants only; immutable.
 */
public final class RedisSettings {

    /** Connect and command timeout of every Redis connection. */
    public static final Setting<Duration> TIMEOUT = Setting.duration("redis.timeout", "2s",
            "Redis connect and command timeout");
    /** Connections in the node's pool for history, sessions and presence (the pub/sub connection is extra). */
    public static final Setting<Integer> POOL_SIZE = Setting.integer("redis.pool-size", 16, 1, 1024,
            "Redis connections per node, besides its one pub/sub connection");
    /** Prefix of every key and pub/sub channel, so that several Herald clusters can share one Redis. */
    public static final Setting<String> PREFIX = Setting.string("redis.prefix", "herald:",
            "prefix of every Redis key and pub/sub channel Herald uses");

    private RedisSettings() {
    }

    /** The settings above; {@code redis.url} is a core setting. */
    public static List<Setting<?>> all() {
        return List.of(TIMEOUT, POOL_SIZE, PREFIX);
    }
}
