/**
 * The {@code redis} store plugin: history ({@code RedisHistoryStore}, one Lua script per append that stores,
 * trims and publishes), cross-node fan-out ({@code RedisBroker}, one pub/sub connection per node), durable
 * sessions and presence with Redis TTLs. Applications use {@link io.herald.redis.RedisStoreModule} (or select
 * {@code store: redis}) and {@link io.herald.redis.RedisSettings}; everything else is package-private. The
 * key layout and the failure behaviour are in the module's README.
 */
package io.herald.redis;
