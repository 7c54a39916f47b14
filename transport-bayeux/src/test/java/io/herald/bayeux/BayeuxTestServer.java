package io.herald.bayeux;

import com.google.inject.Module;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBrokerModule;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.net.URI;

/** An embedded Herald with its HTTP server and the Bayeux transport on a free port. */
final class BayeuxTestServer implements AutoCloseable {

    final Herald herald;
    final URI uri;

    BayeuxTestServer(Settings settings, Module... extra) {
        this(settings, 0, extra);
    }

    BayeuxTestServer(Settings settings, int port, Module... extra) {
        this(null, settings, port, extra);
    }

    /** With {@code store} as the store module (its broker is the in-memory one), or the default store if null. */
    BayeuxTestServer(Module store, Settings settings, int port, Module... extra) {
        Settings s = settings.with(HttpSettings.PORT, String.valueOf(port)).with(HttpSettings.HOST, "127.0.0.1");
        Herald.Builder builder = Herald.builder().settings(s).module(new HttpServerModule()).transport(new BayeuxTransportModule(s));
        if (store != null) {
            builder.store(store).broker(new MemoryBrokerModule());
        }
        for (Module module : extra) {
            builder.module(module);
        }
        herald = builder.build().start();
        uri = herald.injector().getInstance(HeraldHttpServer.class).uri();
    }

    BayeuxTestServer() {
        this(Settings.defaults());
    }

    /** The Bayeux endpoint. */
    URI bayeux() {
        return uri.resolve("/bayeux");
    }

    /** The Bayeux endpoint for a WebSocket client. */
    URI webSocket() {
        return URI.create("ws://127.0.0.1:" + uri.getPort() + "/bayeux");
    }

    BayeuxServer server() {
        return herald.injector().getInstance(BayeuxServer.class);
    }

    @Override
    public void close() {
        herald.stop();
    }
}
