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
import io.herald.core.spi.PluginModule;
import io.herald.core.spi.StoreModule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An assembled Herald: the engine, one store, one broker, any transports and extensions, wired by Guice and
 * started in order.
 *
 * <p>In code (the primary path), with no Guice in sight:
 * <pre>{@code
 * Settings settings = Settings.defaults().with(SseSettings.PATH, "/events");
 * Herald herald = Herald.builder()
 *         .settings(settings)
 *         .store(new RedisStoreModule(settings))        // its own broker too, unless .broker(...) picks one
 *         .transport(new SseTransportModule(settings))
 *         .build()
 *         .start();
 * jettyServer.setHandler(new Handler.Sequence(herald.handler("sse", Handler.class), myRoutes));
 * herald.publish(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}");
 * }</pre>
 * By configuration, {@link Builder#pluginsFromSettings()} selects the discovered plugins named by
 * {@code store}, {@code broker}, {@code transports} and {@code extensions}.
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

    /**
     * The handler a transport registered under {@code name} (with {@link Handlers#bind}), e.g. the SSE
     * transport's Jetty {@code Handler} under {@code "sse"}, to mount in an application's own server. Core
     * knows no HTTP, hence the type the caller expects: {@code herald.handler("sse", Handler.class)}.
     *
     * @throws IllegalArgumentException if no handler has that name or it is not a {@code type}
     */
    public <H> H handler(String name, Class<H> type) {
        Map<String, Object> handlers = injector.getInstance(Handlers.KEY);
        Object handler = handlers.get(name);
        if (handler == null) {
            throw new IllegalArgumentException("no handler named '" + name + "' (registered: "
                    + (handlers.isEmpty() ? "none, add a transport" : String.join(", ", new java.util.TreeSet<>(handlers.keySet()))) + ")");
        }
        if (!type.isInstance(handler)) {
            throw new IllegalArgumentException("the handler named '" + name + "' is a " + handler.getClass().getName()
                    + ", not a " + type.getName());
        }
        return type.cast(handler);
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
        private Module broker;
        private final List<Module> transports = new ArrayList<>();
        private final List<Module> extensions = new ArrayList<>();
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

        /**
         * The store module; the in-memory store when not called. A {@link StoreModule} brings its own broker
         * unless {@link #broker} chooses another; any other module must bind the {@code Broker} itself.
         */
        public Builder store(Module store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The broker module, instead of the store's own. */
        public Builder broker(Module broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /** Adds a transport module. */
        public Builder transport(Module transport) {
            transports.add(Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /** Adds an extension module (presence, ...). */
        public Builder extension(Module extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /** Adds any other module (listeners, an authorizer, metrics). */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /**
         * Also selects, by name, the discovered plugins the settings name: the {@code store} and the
         * {@code broker} unless given in code (an unset {@code broker} means the store's own), and every one
         * of {@code transports} and {@code extensions}.
         */
        public Builder pluginsFromSettings() {
            this.fromSettings = true;
            return this;
        }

        /** Discovers plugins with {@code catalog} instead of {@link PluginCatalog#discover()}. */
        public Builder catalog(PluginCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /**
         * Validates the settings of every {@link PluginModule}, then builds the injector; nothing is started.
         *
         * @throws io.herald.core.config.ConfigurationException if a selected plugin is missing or a setting
         *     is invalid, in one line
         */
        public Herald build() {
            Module chosenStore = store;
            Module chosenBroker = broker;
            List<Module> chosenTransports = new ArrayList<>(transports);
            List<Module> chosenExtensions = new ArrayList<>(extensions);
            if (fromSettings) {
                PluginCatalog plugins = catalog != null ? catalog : PluginCatalog.discover();
                plugins.problems().forEach(p -> LOG.warn("{}", p));
                if (chosenStore == null) {
                    chosenStore = plugins.select(settings.get(CoreSettings.STORE), HeraldPlugin.Kind.STORE).module(settings);
                }
                if (chosenBroker == null && settings.get(CoreSettings.BROKER) != null) {
                    chosenBroker = plugins.select(settings.get(CoreSettings.BROKER), HeraldPlugin.Kind.BROKER).module(settings);
                }
                for (String name : settings.get(CoreSettings.TRANSPORTS)) {
                    chosenTransports.add(plugins.select(name, HeraldPlugin.Kind.TRANSPORT).module(settings));
                }
                for (String name : settings.get(CoreSettings.EXTENSIONS)) {
                    chosenExtensions.add(plugins.select(name, HeraldPlugin.Kind.EXTENSION).module(settings));
                }
            }
            if (chosenStore == null) {
                chosenStore = new MemoryStoreModule();
            }
            if (chosenBroker == null && chosenStore instanceof StoreModule own) {
                chosenBroker = own.defaultBroker();
            }
            List<Module> all = new ArrayList<>();
            all.add(new CoreModule(settings));
            all.add(chosenStore);
            if (chosenBroker != null) {
                all.add(chosenBroker);
            }
            all.addAll(chosenTransports);
            all.addAll(chosenExtensions);
            all.addAll(modules);
            for (Module module : all) {
                if (module instanceof PluginModule plugin) {
                    plugin.settings().validate();
                }
            }
            return new Herald(Guice.createInjector(Stage.PRODUCTION, all));
        }
    }
}
