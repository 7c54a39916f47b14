package io.herald.redis;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.Broker;
import io.herald.api.HistoryStore;
import io.herald.api.Lifecycle;
import io.herald.api.PresenceStore;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import io.herald.core.HealthCheck;
import io.herald.core.config.Settings;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Binds Herald's history, broker, sessions and presence to Redis, so that several nodes sharing one Redis
 * behave as one (G5) and a restarted node loses nothing (G3):
 * <pre>{@code
 * Herald herald = Herald.builder()
 *         .settings(settings)                       // redis.url, redis.timeout, redis.pool-size, redis.prefix
 *         .store(new RedisStoreModule(settings))
 *         .transport(new SseTransportModule(settings))
 *         .build()
 *         .start();                                 // connects; refuses to start if Redis is unusable
 * }</pre>
 * Binds only: the settings are parsed here (a malformed URL is a
 * {@link io.herald.core.config.ConfigurationException}), and connections open when Herald starts. Also binds
 * the {@code redis} {@link HealthCheck}. Not thread-safe (Guice uses a module from one thread).
 */
public final class RedisStoreModule extends AbstractModule {

    private final RedisOptions options;

    /**
     * @throws io.herald.core.config.ConfigurationException for a malformed {@code redis.url} or setting
     */
    public RedisStoreModule(Settings settings) {
        this.options = RedisOptions.from(settings);
    }

    @Override
    protected void configure() {
        Multibinder<Lifecycle> lifecycles = Multibinder.newSetBinder(binder(), Lifecycle.class);
        lifecycles.addBinding().to(RedisPool.class);
        lifecycles.addBinding().to(RedisBroker.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(RedisHealthCheck.class);
    }

    @Provides
    @Singleton
    RedisKeys keys() {
        return new RedisKeys(options.prefix(), options.endpoint().database());
    }

    @Provides
    @Singleton
    RedisPool pool() {
        return new RedisPool(options);
    }

    @Provides
    @Singleton
    RedisBroker redisBroker(RedisKeys keys) {
        return new RedisBroker(options, keys);
    }

    @Provides
    @Singleton
    RedisHealthCheck health(RedisPool pool, RedisBroker broker) {
        return new RedisHealthCheck(pool, broker);
    }

    @Provides
    @Singleton
    HistoryStore history(RedisPool pool, RedisKeys keys, Retention.Policy retention) {
        return new RedisHistoryStore(pool, keys, retention);
    }

    @Provides
    @Singleton
    Broker broker(RedisBroker broker) {
        return broker;
    }

    @Provides
    @Singleton
    SessionStore sessions(RedisPool pool, RedisKeys keys, Clock clock) {
        return new RedisSessionStore(pool, keys, clock);
    }

    @Provides
    @Singleton
    PresenceStore presence(RedisPool pool, RedisKeys keys, Clock clock) {
        return new RedisPresenceStore(pool, keys, clock);
    }
}
