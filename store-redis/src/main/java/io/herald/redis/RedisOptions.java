package io.herald.redis;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * What the Redis pool and broker connect with: {@link RedisSettings}, validated. Immutable and thread-safe.
 *
 * @param endpoint where Redis is
 * @param timeout connect and command timeout
 * @param poolSize connections in the pool
 * @param prefix prefix of every key and pub/sub channel
 */
record RedisOptions(RedisEndpoint endpoint, Duration timeout, int poolSize, String prefix) {

    RedisOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigurationException("redis.timeout must be positive, got " + timeout);
        }
        if (prefix == null) {
            prefix = "";
        }
        if (endpoint.isCluster() && (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0)) {
            // The keys' hash tags ({<channel>}, {sessions:<n>}) decide their cluster slot; braces in the prefix would.
            throw new ConfigurationException("redis.prefix must not contain '{' or '}' on a Redis Cluster, got '" + prefix + "'");
        }
    }

    /**
     * Reads and validates the settings; no I/O.
     *
     * @throws ConfigurationException for a malformed URL or setting
     */
    static RedisOptions from(Settings settings) {
        return RedisSettings.from(settings).options();
    }

    /** These options with another key prefix (tests give each store a prefix of its own). */
    RedisOptions withPrefix(String newPrefix) {
        return new RedisOptions(endpoint, timeout, poolSize, newPrefix);
    }

    int timeoutMillis() {
        return (int) timeout.toMillis();
    }
}
