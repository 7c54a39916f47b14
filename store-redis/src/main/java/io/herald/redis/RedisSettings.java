package io.herald.redis;

import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the {@code redis} store and broker, and the settings they are read from:
 * {@code redis.url} ({@code --redis-url}, {@code HERALD_REDIS_URL}: {@code redis://[user:password@]host:port/db},
 * or {@code rediss://} for TLS, {@code redis-cluster://host:port,host:port} for a Redis Cluster), {@code redis.timeout}, {@code redis.pool-size}, {@code redis.prefix}.
 *
 * <p>{@link #validate()} refuses what cannot work in one line, whether Herald is assembled in code or by
 * the server from flags. Immutable and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param url the Redis URL
 * @param timeout connect and command timeout
 * @param poolSize connections in the node's pool
 * @param prefix prefix of every key and pub/sub channel
 */
public record RedisSettings(Settings source, String url, Duration timeout, int poolSize, String prefix) implements PluginSettings {

    /** Where Redis is. */
    public static final Setting<String> URL = Setting.string("redis.url", "redis://127.0.0.1:6379",
            "Redis URL, redis://[:password@]host:port/db or rediss:// for TLS; redis-cluster://host:port,host:port for a Redis Cluster");
    /** Connect and command timeout of every Redis connection. */
    public static final Setting<Duration> TIMEOUT = Setting.duration("redis.timeout", "2s",
            "Redis connect and command timeout");
    /** Connections in the node's pool for history, sessions and presence (the pub/sub connection is extra). */
    public static final Setting<Integer> POOL_SIZE = Setting.integer("redis.pool-size", 16, 1, 1024,
            "Redis connections per node, besides its one pub/sub connection");
    /** Prefix of every key and pub/sub channel, so that several Herald clusters can share one Redis. */
    public static final Setting<String> PREFIX = Setting.string("redis.prefix", "herald:",
            "prefix of every Redis key and pub/sub channel Herald uses");

    /** The settings above. */
    public static List<Setting<?>> all() {
        return List.of(URL, TIMEOUT, POOL_SIZE, PREFIX);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static RedisSettings from(Settings settings) {
        return new RedisSettings(settings, settings.get(URL), settings.get(TIMEOUT), settings.get(POOL_SIZE), settings.get(PREFIX));
    }

    @Override
    public void validate() {
        options();
    }

    /** The validated options the pool and the broker connect with. */
    RedisOptions options() {
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw source.invalid(TIMEOUT, "it must be positive and under 24 days, got " + timeout);
        }
        return new RedisOptions(RedisEndpoint.parse(url), timeout, poolSize, prefix);
    }
}
