package io.herald.sse;

import com.google.inject.Module;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.net.URI;

/** An embedded Herald with its HTTP server and the SSE transport on a free port. */
final class SseServer implements AutoCloseable {

    final Herald herald;
    final URI uri;

    SseServer(Settings settings) {
        this(settings, 0);
    }

    SseServer(Settings settings, int port) {
        this(settings, port, binder -> { });
    }

    /** With {@code more} bindings, such as a {@code ManualClock}. */
    SseServer(Settings settings, int port, Module more) {
        Settings s = settings.with(HttpSettings.PORT, String.valueOf(port)).with(HttpSettings.HOST, "127.0.0.1");
        herald = Herald.builder().settings(s).module(new HttpServerModule()).module(more)
                .transport(new SseTransportModule(s)).build().start();
        uri = herald.injector().getInstance(HeraldHttpServer.class).uri();
    }

    SseServer() {
        this(Settings.defaults());
    }

    SseTransport transport() {
        return herald.injector().getInstance(SseTransport.class);
    }

    @Override
    public void close() {
        herald.stop();
    }
}
