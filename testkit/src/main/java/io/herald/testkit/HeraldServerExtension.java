package io.herald.testkit;

import com.google.inject.Module;
import io.herald.core.Herald;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs an embedded Herald with its HTTP server on a free port of {@code 127.0.0.1},
 * for tests that talk to Herald over the network: a transport's interop tests, an application's end-to-end
 * tests.
 *
 * <p>Registered on a {@code static} field it runs once for the test class (nested classes included);
 * on an instance field, once per test:
 * <pre>{@code
 * class SseEndToEndTest {
 *     @RegisterExtension
 *     static final HeraldServerExtension server = HeraldServerExtension.builder()
 *             .transport(new SseTransportModule(settings))
 *             .setting(CoreSettings.HISTORY_SIZE, "10")
 *             .build();
 *
 *     @Test
 *     void streams() {
 *         HttpRequest request = HttpRequest.newBuilder(server.uri("/sse?channel=/chat/room1")).build();
 *         ...
 *         server.herald().publish(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}");
 *     }
 * }
 * }</pre>
 * Herald is built with {@link HttpServerModule}, the store given (the memory store by default), the broker
 * given (the store's own by default), the transports and modules given, and the settings given with {@code port} = 0 (a free port, unless a port was
 * set) and {@code host} = {@code 127.0.0.1} (unless a host was set). It is stopped after the class or the
 * test, whatever happened.
 *
 * <p>Thread-safe to read from tests; one extension instance serves one test class and is not meant for
 * classes whose tests run concurrently.
 */
public final class HeraldServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Settings settings;
    private final Module store;
    private final Module broker;
    private final List<Module> transports;
    private final List<Module> modules;
    private volatile Herald herald;
    private volatile HeraldHttpServer http;
    private String startedBy;

    private HeraldServerExtension(Builder builder) {
        Settings s = builder.settings;
        if (!s.isSet(HttpSettings.PORT)) {
            s = s.with(HttpSettings.PORT, "0");
        }
        if (!s.isSet(HttpSettings.HOST)) {
            s = s.with(HttpSettings.HOST, "127.0.0.1");
        }
        this.settings = s;
        this.store = builder.store;
        this.broker = builder.broker;
        this.transports = List.copyOf(builder.transports);
        this.modules = List.copyOf(builder.modules);
    }

    /** A builder for an extension with a store, transports, modules or settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The running Herald. */
    public Herald herald() {
        Herald h = herald;
        if (h == null) {
            throw new IllegalStateException("the Herald server is not running: register HeraldServerExtension with @RegisterExtension, "
                    + "and use it from tests or their lifecycle methods");
        }
        return h;
    }

    /** The port the HTTP server listens on. */
    public int port() {
        herald();
        return http.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}, e.g. {@code uri("/sse?channel=/chat/room1")}. */
    public URI uri(String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + pathAndQuery);
        }
        return URI.create(uri() + pathAndQuery);
    }

    /** The settings Herald was built with, port 0 and host included. */
    public Settings settings() {
        return settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stopFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopFor(context);
    }

    // The context that started the server stops it: a static field starts in the class's beforeAll and
    // nested classes and tests find it running; an instance field starts and stops around each test.
    private synchronized void startFor(ExtensionContext context) {
        if (herald != null) {
            return;
        }
        Herald.Builder builder = Herald.builder().settings(settings).module(new HttpServerModule());
        if (store != null) {
            builder.store(store);
        }
        if (broker != null) {
            builder.broker(broker);
        }
        transports.forEach(builder::transport);
        modules.forEach(builder::module);
        Herald started = builder.build().start();
        http = started.injector().getInstance(HeraldHttpServer.class);
        herald = started;
        startedBy = context.getUniqueId();
    }

    private synchronized void stopFor(ExtensionContext context) {
        if (herald != null && context.getUniqueId().equals(startedBy)) {
            Herald h = herald;
            herald = null;
            http = null;
            startedBy = null;
            h.stop();
        }
    }

    /** Assembles the extension. Not thread-safe. */
    public static final class Builder {
        private Settings settings = Settings.defaults();
        private Module store;
        private Module broker;
        private final List<Module> transports = new ArrayList<>();
        private final List<Module> modules = new ArrayList<>();

        private Builder() {
        }

        /** The base settings; defaults when not called. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Sets one setting, e.g. {@code setting(CoreSettings.HISTORY_SIZE, "10")}. */
        public Builder setting(Setting<?> setting, String value) {
            this.settings = settings.with(setting, value);
            return this;
        }

        /** The store module; the memory store when not called. */
        public Builder store(Module store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The broker module; the store's own when not called. */
        public Builder broker(Module broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /** Adds a transport module. */
        public Builder transport(Module transport) {
            transports.add(Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /** Adds any other Guice module: endpoints, listeners, an authorizer. */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        public HeraldServerExtension build() {
            return new HeraldServerExtension(this);
        }
    }
}
