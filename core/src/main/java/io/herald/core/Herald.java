package io.herald.core;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import io.herald.api.ChannelName;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryStoreModule;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An assembled Herald: the engine, one store, any transports, wired by Guice and started in order.
 *
 * <p>In code (the primary path):
 * <pre>{@code
 * Herald herald = Herald.builder()
 *         .settings(settings)
 *         .store(new MemoryStoreModule())
 *         .transport(new SseTransportModule(settings))
 *         .build()
 *         .start();
 * herald.publish(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}");
 * }</pre>
 * By configuration, {@link Builder#pluginsFromSettings()} selects the discovered plugins named by
 * {@code store} and {@code transports}.
 *
 * <p>{@link #start()} starts every {@link Lifecycle} bound in a {@code Multibinder<Lifecycle>}, stores
 * first and transports last; {@link #stop()} stops them in reverse. Thread-safe.
 */
public final class Herald implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Herald.class);

    private final Injector injector;
    private final List<Lifecycle> components;
    private final Deque<Lifecycle> started = new ArrayDeque<>();
    private boolean running;
    private boolean stopped;

    private Herald(Injector injector) {
        this.injector = injector;
        List<Lifecycle> all = new ArrayList<>(injector.getInstance(Key.get(new TypeLiteral<java.util.Set<Lifecycle>>() { })));
        all.sort(Comparator.comparingInt(Lifecycle::phase));
        this.components = List.copyOf(all);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every component in phase order; on failure stops those already started and rethrows.
     *
     * @throws IllegalStateException if already started, or stopped: components start once, so a stopped
     *     Herald is not restarted; build a new one
     */
    public synchronized Herald start() {
        if (running) {
            throw new IllegalStateException("Herald is already started");
        }
        if (stopped) {
            throw new IllegalStateException("this Herald was stopped and cannot start again; build a new one with Herald.builder()");
        }
        for (Lifecycle component : components) {
            try {
                component.start();
                started.push(component);
            } catch (RuntimeException e) {
                stopped = true;
                stopStarted();
                throw e;
            }
        }
        running = true;
        return this;
    }

    /** Stops the components in reverse order; idempotent. */
    public synchronized void stop() {
        if (running || !started.isEmpty()) {
            stopped = true;
        }
        stopStarted();
        running = false;
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return running;
    }

    private void stopStarted() {
        while (!started.isEmpty()) {
            Lifecycle component = started.pop();
            try {
                component.stop();
            } catch (RuntimeException e) {
                LOG.warn("{} failed to stop: {}", component.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** The engine. */
    public Engine engine() {
        return injector.getInstance(Engine.class);
    }

    /** Durable sessions. */
    public SessionService sessions() {
        return injector.getInstance(SessionService.class);
    }

    /** The injector, for what transports and the server bound. */
    public Injector injector() {
        return injector;
    }

    /** Publishes JSON to {@code channel} as the application ({@link Principal#SERVER}). */
    public Message publish(ChannelName channel, String json) {
        return engine().publish(Principal.SERVER, Publication.json(channel, json));
    }

    /** Publishes {@code publication} as the application ({@link Principal#SERVER}). */
    public Message publish(Publication publication) {
        return engine().publish(Principal.SERVER, publication);
    }

    /** Assembles a {@link Herald}. Not thread-safe. */
    public static final class Builder {
        private Settings settings = Settings.defaults();
        private Module store;
        private final List<Module> transports = new ArrayList<>();
        private final List<Module> modules = new ArrayList<>();
        private boolean fromSettings;
        private PluginCatalog catalog;

        private Builder() {
        }

        /** The settings every module reads; defaults when not called. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The store module; the in-memory store when not called. */
        public Builder store(Module store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Adds a transport module. */
        public Builder transport(Module transport) {
            transports.add(Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /** Adds any other module (listeners, an authorizer, metrics). */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /**
         * Also selects, by name, the discovered plugins the settings name: the {@code store} unless one was
         * given in code, and every one of {@code transports}.
         */
        public Builder pluginsFromSettings() {
            this.fromSettings = true;
            return this;
        }

        /** Discovers plugins with {@code catalog} instead of the class path's {@link ServiceLoader}. */
        public Builder catalog(PluginCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /**
         * Builds the injector; nothing is started yet.
         *
         * @throws io.herald.core.config.ConfigurationException if a selected plugin is missing
         */
        public Herald build() {
            List<Module> all = new ArrayList<>();
            all.add(new CoreModule(settings));
            Module chosenStore = store;
            List<Module> chosenTransports = new ArrayList<>(transports);
            if (fromSettings) {
                PluginCatalog plugins = catalog != null ? catalog : PluginCatalog.discover();
                plugins.problems().forEach(p -> LOG.warn("{}", p));
                if (chosenStore == null) {
                    chosenStore = plugins.select(settings.get(CoreSettings.STORE), HeraldPlugin.Kind.STORE).module(settings);
                }
                for (String name : settings.get(CoreSettings.TRANSPORTS)) {
                    chosenTransports.add(plugins.select(name, HeraldPlugin.Kind.TRANSPORT).module(settings));
                }
            }
            all.add(chosenStore != null ? chosenStore : new MemoryStoreModule());
            all.addAll(chosenTransports);
            all.addAll(modules);
            return new Herald(Guice.createInjector(Stage.PRODUCTION, all));
        }
    }
}
