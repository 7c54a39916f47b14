package io.herald.jdbc;

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
 * Binds the {@link Broker} to PostgreSQL LISTEN/NOTIFY, for any store; with the {@code jdbc} store on the same
 * database and prefix, appends notify inside their own transaction. Binds only; the listening connection
 * opens when Herald starts. Adds the {@code postgres-listen} check of {@code /health}. Not thread-safe (Guice
 * uses a module from one thread).
 */
public final class PostgresBrokerModule extends AbstractModule implements PluginModule {

    private final JdbcSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException when the URL is not PostgreSQL, or for a bad setting
     */
    public PostgresBrokerModule(Settings settings) {
        this.settings = JdbcSettings.from(settings);
        new PostgresBroker(this.settings);
    }

    @Override
    public JdbcSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(Broker.class).to(PostgresBroker.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(PostgresBroker.class);
    }

    @Provides
    @Singleton
    PostgresBroker broker() {
        return new PostgresBroker(settings);
    }

    @ProvidesIntoSet
    HealthCheck listening(PostgresBroker broker) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "postgres-listen";
            }

            @Override
            public String problem() {
                return broker.problem();
            }
        };
    }
}
