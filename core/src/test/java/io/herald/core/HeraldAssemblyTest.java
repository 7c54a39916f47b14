package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.Lifecycle;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import io.herald.api.HistoryStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HeraldAssemblyTest {

    @Test
    void theMemoryStoreIsDiscoveredByName() {
        PluginCatalog catalog = PluginCatalog.discover();
        assertThat(catalog.find(HeraldPlugin.Kind.STORE, "memory")).isPresent();
        assertThat(catalog.problems()).isEmpty();
        Settings noTransports = Settings.defaults().with(CoreSettings.TRANSPORTS, "");
        try (Herald herald = Herald.builder().settings(noTransports).pluginsFromSettings().build().start()) {
            assertThat(herald.injector().getInstance(HistoryStore.class)).isInstanceOf(MemoryHistoryStore.class);
        }
    }

    @Test
    void selectingAMissingPluginNamesWhatIsAvailable() {
        Settings settings = Settings.defaults().with(CoreSettings.STORE, "jdbc");
        assertThatThrownBy(() -> Herald.builder().settings(settings).pluginsFromSettings().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no store plugin named 'jdbc' on the class path (available: memory)");
        assertThatThrownBy(() -> PluginCatalog.discover().select("memory", HeraldPlugin.Kind.TRANSPORT))
                .hasMessageContaining("no transport plugin named 'memory'");
    }

    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    record Component(String name, int phase, boolean fails) implements Lifecycle {
        @Override
        public void start() {
            if (fails) {
                throw new IllegalStateException(name + " refuses");
            }
            EVENTS.add("start " + name);
        }

        @Override
        public void stop() {
            EVENTS.add("stop " + name);
        }
    }

    private static AbstractModule components(Component... components) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder<Lifecycle> set = Multibinder.newSetBinder(binder(), Lifecycle.class);
                for (Component c : components) {
                    set.addBinding().toInstance(c);
                }
            }
        };
    }

    @Test
    void componentsStartByPhaseAndStopInReverse() {
        EVENTS.clear();
        Herald herald = Herald.builder()
                .module(components(new Component("transport", Lifecycle.TRANSPORT, false), new Component("store", Lifecycle.STORE, false)))
                .build();
        herald.start();
        herald.stop();
        assertThat(EVENTS).containsExactly("start store", "start transport", "stop transport", "stop store");
    }

    @Test
    void aFailedStartStopsWhatHadStarted() {
        EVENTS.clear();
        Herald herald = Herald.builder()
                .module(components(new Component("store", Lifecycle.STORE, false), new Component("transport", Lifecycle.TRANSPORT, true)))
                .build();
        assertThatThrownBy(herald::start).hasMessage("transport refuses");
        assertThat(EVENTS).containsExactly("start store", "stop store");
        assertThat(herald.isRunning()).isFalse();
    }

    @Test
    void sessionListenersLearnEveryStepOfASessionsLife() {
        List<String> seen = new CopyOnWriteArrayList<>();
        SessionListener listener = new SessionListener() {
            @Override
            public void created(SessionRecord s) {
                seen.add("created");
            }

            @Override
            public void resumed(SessionRecord s) {
                seen.add("resumed");
            }

            @Override
            public void ended(SessionRecord s) {
                seen.add("ended");
            }

            @Override
            public void expired(SessionRecord s) {
                seen.add("expired " + s.principal());
            }
        };
        Settings settings = Settings.defaults().with(CoreSettings.SESSION_TTL, "300ms");
        try (Herald herald = Herald.builder().settings(settings).module(new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder.newSetBinder(binder(), SessionListener.class).addBinding().toInstance(listener);
            }
        }).build().start()) {
            SessionService sessions = herald.sessions();
            SessionRecord kept = sessions.open("alice");
            assertThat(sessions.resume(kept.id())).isPresent();
            sessions.end(kept.id());
            assertThat(sessions.resume(kept.id())).isEmpty();
            sessions.open("bob");
            await().until(() -> seen.contains("expired bob"));
            assertThat(seen).containsExactly("created", "resumed", "ended", "created", "expired bob");
        }
    }
}
