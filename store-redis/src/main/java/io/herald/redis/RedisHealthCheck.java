package io.herald.redis;

import io.herald.core.HealthCheck;

/**
 * The {@code redis} check of {@code /health}: Redis answers a {@code PING} on the pool, and the node's
 * pub/sub connection is up (while it reconnects, this node may miss live messages). Thread-safe.
 */
final class RedisHealthCheck implements HealthCheck {

    private final RedisPool pool;
    private final RedisBroker broker;

    RedisHealthCheck(RedisPool pool, RedisBroker broker) {
        this.pool = pool;
        this.broker = broker;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String problem() {
        String problem = pool.problem();
        return problem != null ? problem : broker.problem();
    }
}
