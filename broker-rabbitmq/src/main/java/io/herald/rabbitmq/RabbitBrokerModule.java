package io.herald.rabbitmq;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Broker;
import io.herald.api.Lifecycle;
import io.herald.api.SubscriptionBacklog;
import io.herald.core.HealthCheck;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import jakarta.inject.Singleton;

/**
 * Binds the {@link Broker} to RabbitMQ, for any history store ({@code --store redis --broker rabbitmq}, or
 * the memory store for one node). Binds only: the connection opens when Herald starts. Adds the
 * {@code rabbitmq} check of {@code /health}. With {@code rabbitmq.durable-queues}, also binds the
 * {@link SubscriptionBacklog} to durable per-subscription queues ({@link RabbitBacklog}). Not thread-safe (Guice uses a module from one thread).
 *
 * <pre>{@code
 * Herald herald = Herald.builder()
 *         .store(new RedisStoreModule(settings))
 *         .broker(new RabbitBrokerModule(settings))   // settings with rabbitmq.url
 *         .build();
 * }</pre>
 */
public final class RabbitBrokerModule extends AbstractModule implements PluginModule {

    private final RabbitSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for a malformed {@code rabbitmq.*} setting
     */
    public RabbitBrokerModule(Settings settings) {
        this.settings = RabbitSettings.from(settings);
        this.settings.validate();
    }

    @Override
    public RabbitSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(Broker.class).to(RabbitBroker.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(RabbitBroker.class);
        if (settings.durableQueues()) {
            OptionalBinder.newOptionalBinder(binder(), SubscriptionBacklog.class).setBinding().to(RabbitBacklog.class);
            Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(RabbitBacklog.class);
        }
    }

    @Provides
    @Singleton
    RabbitBacklog backlog(RabbitBroker broker, Settings all) {
        return new RabbitBacklog(broker, settings.exchange(), all.get(CoreSettings.SESSION_TTL));
    }

    @Provides
    @Singleton
    RabbitBroker broker() {
        return new RabbitBroker(settings);
    }

    @ProvidesIntoSet
    HealthCheck connection(RabbitBroker broker) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "rabbitmq";
            }

            @Override
            public String problem() {
                return broker.problem();
            }
        };
    }
}
