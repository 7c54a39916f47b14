package io.herald.core.memory;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import io.herald.api.HistoryStore;
import io.herald.api.PresenceStore;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import io.herald.core.config.PluginSettings;
import io.herald.core.spi.StoreModule;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Binds the in-memory history, sessions and presence: the embedded default, one node only. Its own broker,
 * used unless another is chosen, is the {@link MemoryBrokerModule}. Has no settings of its own (retention
 * and session expiry are core settings).
 */
public final class MemoryStoreModule extends AbstractModule implements StoreModule {

    @Override
    public PluginSettings settings() {
        return PluginSettings.NONE;
    }

    @Override
    public Module defaultBroker() {
        return new MemoryBrokerModule();
    }

    @Provides
    @Singleton
    HistoryStore history(Retention.Policy retention, Clock clock) {
        return new MemoryHistoryStore(retention, clock);
    }

    @Provides
    @Singleton
    SessionStore sessions(Clock clock) {
        return new MemorySessionStore(clock);
    }

    @Provides
    @Singleton
    PresenceStore presence(Clock clock) {
        return new MemoryPresenceStore(clock);
    }
}
