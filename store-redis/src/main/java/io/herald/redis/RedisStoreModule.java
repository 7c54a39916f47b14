package io.herald.redis;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
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
import io.herald.core.spi.StoreModule;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Binds Herald's history, sessions and presence to Redis, so that several nodes sharing one Redis behave as
 * one (G5) and a restarted node loses nothing (G3). Its own broker, used unless another is chosen, is the
 * {@link RedisBrokerModule} on the same Redis, which the append script publishes to:
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
public final class RedisStoreModule extends AbstractModule implements StoreModule {

    private final RedisSettings settings;
    private final RedisOptions options;

    /**
     * @throws io.herald.core.config.ConfigurationException for a malformed {@code redis.url} or setting
     */
    public RedisStoreModule(Settings settings) {
        this.settings = RedisSettings.from(settings);
        this.options = this.settings.options();
    }

    @Override
    public RedisSettings settings() {
        return settings;
    }

    @Override
    public Module defaultBroker() {
        return new RedisBrokerModule(settings.source());
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(RedisPool.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(RedisHealthCheck.class);
    }

    @Provides
    @Singleton
    RedisKeys keys() {
        return RedisKeys.of(options);
    }

    @Provides
    @Singleton
    RedisPool pool() {
        return new RedisPool(options);
    }

    @Provides
    @Singleton
    RedisHealthCheck health(RedisPool pool, Broker broker) {
        return new RedisHealthCheck(pool, broker);
    }

    @Provides
    @Singleton
    HistoryStore history(RedisPool pool, RedisKeys keys, Retention.Policy retention) {
        return new RedisHistoryStore(pool, keys, retention);
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
