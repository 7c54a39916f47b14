package io.herald.stomp;

import com.google.inject.Module;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.net.URI;

/** An embedded Herald with its HTTP server and the STOMP transport on a free port. */
final class StompServer implements AutoCloseable {

    final Herald herald;
    final URI http;
    final URI ws;

    StompServer(Settings settings) {
        this(settings, binder -> { });
    }

    /** With {@code more} bindings, such as a {@code ManualClock}. */
    StompServer(Settings settings, Module more) {
        Settings s = settings.with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        herald = Herald.builder().settings(s).module(new HttpServerModule()).module(more)
                .transport(new StompTransportModule(s)).build().start();
        http = herald.injector().getInstance(HeraldHttpServer.class).uri();
        ws = URI.create("ws://127.0.0.1:" + http.getPort() + "/stomp");
    }

    StompServer() {
        this(Settings.defaults());
    }

    StompTransport transport() {
        return herald.injector().getInstance(StompTransport.class);
    }

    @Override
    public void close() {
        herald.stop();
    }
}
