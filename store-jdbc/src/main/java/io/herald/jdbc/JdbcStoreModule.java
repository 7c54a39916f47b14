package io.herald.jdbc;

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
import io.herald.core.memory.MemoryBrokerModule;
import io.herald.core.spi.StoreModule;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Binds Herald's history, sessions and presence to a database over JDBC, so a node keeps everything across
 * restarts (G3) and several nodes on one database share it (G5, with a broker between them):
 * <pre>{@code
 * Herald herald = Herald.builder()
 *         .settings(settings)                      // jdbc.url, jdbc.user, jdbc.password, jdbc.pool-size
 *         .store(new JdbcStoreModule(settings))
 *         .transport(new SseTransportModule(settings))
 *         .build()
 *         .start();                                // connects and migrates; refuses to start if it cannot
 * }</pre>
 * Its default broker is the {@code postgres} one (LISTEN/NOTIFY) when the URL is PostgreSQL, else the
 * in-process one; several nodes on MariaDB or H2 need another ({@code --broker redis} or {@code rabbitmq}). Binds only: the settings are checked here, and the pool
 * opens when Herald starts. Also binds the {@code jdbc} {@link HealthCheck}. Not thread-safe (Guice uses a
 * module from one thread).
 */
public final class JdbcStoreModule extends AbstractModule implements StoreModule {

    private final JdbcSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for an unsupported URL or a bad setting
     */
    public JdbcStoreModule(Settings settings) {
        this.settings = JdbcSettings.from(settings);
        this.settings.validate();
    }

    @Override
    public JdbcSettings settings() {
        return settings;
    }

    @Override
    public Module defaultBroker() {
        return settings.dialect() == Dialect.POSTGRESQL ? new PostgresBrokerModule(settings.source()) : new MemoryBrokerModule();
    }

    @Override
    protected void configure() {
        Multibinder<Lifecycle> lifecycles = Multibinder.newSetBinder(binder(), Lifecycle.class);
        lifecycles.addBinding().to(JdbcDatabase.class);
        lifecycles.addBinding().to(JdbcHistoryStore.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(JdbcHealthCheck.class);
        bind(HistoryStore.class).to(JdbcHistoryStore.class);
    }

    @Provides
    @Singleton
    JdbcDatabase database() {
        return new JdbcDatabase(settings);
    }

    @Provides
    @Singleton
    JdbcHealthCheck health(JdbcDatabase db) {
        return new JdbcHealthCheck(db);
    }

    @Provides
    @Singleton
    JdbcHistoryStore history(JdbcDatabase db, Retention.Policy retention, Clock clock, Broker broker) {
        // With the postgres broker on these very tables, the append's transaction sends the NOTIFY itself.
        if (broker instanceof PostgresBroker postgres && postgres.sameDatabase(settings)) {
            return new JdbcHistoryStore(db, retention, clock, postgres.appendHook());
        }
        return new JdbcHistoryStore(db, retention, clock);
    }

    @Provides
    @Singleton
    SessionStore sessions(JdbcDatabase db, Clock clock) {
        return new JdbcSessionStore(db, clock);
    }

    @Provides
    @Singleton
    PresenceStore presence(JdbcDatabase db, Clock clock) {
        return new JdbcPresenceStore(db, clock);
    }
}
