package io.herald.redis;

import io.herald.api.Broker;
import io.herald.core.HealthCheck;

/**
 * The {@code redis} check of {@code /health}: Redis answers a {@code PING} on the pool, and, when the broker
 * is Redis too, the node's pub/sub connection is up (while it reconnects, this node may miss live messages).
 * Thread-safe.
 */
final class RedisHealthCheck implements HealthCheck {

    private final RedisPool pool;
    private final Broker broker;

    RedisHealthCheck(RedisPool pool, Broker broker) {
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
        return problem != null || !(broker instanceof RedisBroker redis) ? problem : redis.problem();
    }
}
