package io.herald.core.memory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.herald.api.Broker;
import io.herald.api.HistoryStore;
import io.herald.api.PresenceStore;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Binds the in-memory history, broker, sessions and presence: the embedded default, one node only. */
public final class MemoryStoreModule extends AbstractModule {

    @Provides
    @Singleton
    HistoryStore history(Retention.Policy retention, Clock clock) {
        return new MemoryHistoryStore(retention, clock);
    }

    @Provides
    @Singleton
    Broker broker() {
        return new MemoryBroker();
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
