package io.herald.presence;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.Broker;
import io.herald.api.HistoryStore;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import io.herald.core.AckMode;
import io.herald.core.Connection;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.config.PluginSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.core.spi.StoreModule;
import io.herald.testkit.ManualClock;
import io.herald.api.ChannelName;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Nodes in one process sharing one set of memory stores and one memory broker, as nodes share Redis, all on
 * one {@link ManualClock}: presence scenarios across nodes, with no network and no waiting for time to pass.
 * Every node's presence events are recorded in {@link #events}. Not thread-safe.
 */
final class SharedMemoryCluster implements AutoCloseable {

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final PresenceStore presence = new MemoryPresenceStore(clock);
    final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
    private final HistoryStore history = new MemoryHistoryStore(Retention.Policy.uniform(new Retention(1000, java.time.Duration.ZERO)), clock);
    private final SessionStore sessions = new MemorySessionStore(clock);
    private final Broker broker = new MemoryBroker();
    private final Settings settings;
    private final List<Herald> nodes = new ArrayList<>();
    private final List<Herald> alive = new CopyOnWriteArrayList<>();

    SharedMemoryCluster(Settings settings) {
        this.settings = settings;
    }

    /** A started node with the presence extension. */
    Herald node() {
        Herald herald = Herald.builder()
                .settings(settings)
                .store(new SharedStores())
                .extension(new PresenceModule(settings))
                .module(binder -> {
                    OptionalBinder.newOptionalBinder(binder, Clock.class).setBinding().toInstance(clock);
                    Multibinder.newSetBinder(binder, PresenceListener.class).addBinding().toInstance(new PresenceListener() {
                        @Override
                        public void joined(PresenceEvent event) {
                            events.add(event);
                        }

                        @Override
                        public void left(PresenceEvent event) {
                            events.add(event);
                        }
                    });
                })
                .build()
                .start();
        nodes.add(herald);
        alive.add(herald);
        return herald;
    }

    /**
     * Moves the clock to {@code target} in steps of at most 10 s, each followed by a heartbeat of every live
     * node, as their timers would (every third of the 30 s TTL).
     */
    void advanceTo(Instant target) {
        while (clock.instant().isBefore(target)) {
            Instant next = clock.instant().plusSeconds(10);
            clock.advance(java.time.Duration.between(clock.instant(), next.isBefore(target) ? next : target));
            alive.forEach(node -> presence(node).beat());
        }
    }

    /** The node dies: its timers stop, its connections never leave, nothing of it is told to the store. */
    void kill(Herald node) {
        alive.remove(node);
        presence(node).stop();
    }

    static PresenceService presence(Herald node) {
        return node.injector().getInstance(PresenceService.class);
    }

    /** A connection of {@code principal} on {@code node}, subscribed to {@code channel}. */
    static Connection connect(Herald node, Principal principal, ChannelName channel) {
        Connection connection = node.sessions().connect(node.sessions().ephemeral(principal), new Connection.Wire() {
            @Override
            public void writable() {
            }

            @Override
            public void cutOff() {
            }
        }, false);
        connection.subscribe("s", channel, Resume.live(), AckMode.AUTO, 0);
        return connection;
    }

    List<PresenceEvent> events(PresenceEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    @Override
    public void close() {
        nodes.forEach(Herald::stop);
    }

    /** The shared stores, bound in each node. */
    private final class SharedStores extends AbstractModule implements StoreModule {
        @Override
        protected void configure() {
            bind(HistoryStore.class).toInstance(history);
            bind(SessionStore.class).toInstance(sessions);
            bind(PresenceStore.class).toInstance(presence);
        }

        @Override
        public Module defaultBroker() {
            return binder -> binder.bind(Broker.class).toInstance(broker);
        }

        @Override
        public PluginSettings settings() {
            return PluginSettings.NONE;
        }
    }
}
