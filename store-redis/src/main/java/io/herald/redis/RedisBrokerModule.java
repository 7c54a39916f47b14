package io.herald.redis;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Broker;
import io.herald.api.Lifecycle;
import io.herald.core.HealthCheck;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import jakarta.inject.Singleton;

/**
 * Binds the {@link Broker} to Redis pub/sub, for any store: the Redis store's own broker, and the way nodes
 * on another store fan out to each other ({@code --store memory --broker redis}). Binds only; its pub/sub
 * connection and publishing pool open when Herald starts. Adds the {@code redis-pubsub} check of
 * {@code /health}. Not thread-safe (Guice uses a module from one thread).
 */
public final class RedisBrokerModule extends AbstractModule implements PluginModule {

    private final RedisSettings settings;
    private final RedisOptions options;

    /**
     * @throws io.herald.core.config.ConfigurationException for a malformed {@code redis.url} or setting
     */
    public RedisBrokerModule(Settings settings) {
        this.settings = RedisSettings.from(settings);
        this.options = this.settings.options();
    }

    @Override
    public RedisSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(Broker.class).to(RedisBroker.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(RedisBroker.class);
    }

    @Provides
    @Singleton
    RedisBroker broker() {
        return new RedisBroker(options, RedisKeys.of(options));
    }

    @ProvidesIntoSet
    HealthCheck pubsub(RedisBroker broker) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "redis-pubsub";
            }

            @Override
            public String problem() {
                return broker.problem();
            }
        };
    }
}
