package io.herald.sse;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.core.config.Settings;
import io.herald.http.HttpEndpoint;
import io.herald.http.HttpSettings;
import jakarta.inject.Singleton;

/**
 * Binds the SSE transport: the stream endpoint at {@code sse.path} (default {@code /sse}) and the cursor
 * endpoint at {@code <api.path>/cursor} (default {@code /api/cursor}), both mounted by Herald's HTTP server.
 * Binds only.
 */
public final class SseTransportModule extends AbstractModule {

    private final Settings settings;

    public SseTransportModule(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(SseTransport.class).in(Singleton.class);
        bind(SseHandler.class).in(Singleton.class);
        bind(CursorHandler.class).in(Singleton.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(SseTransport.class);
    }

    @ProvidesIntoSet
    HttpEndpoint streams(SseHandler handler) {
        return new HttpEndpoint(settings.get(SseSettings.PATH), handler);
    }

    @ProvidesIntoSet
    HttpEndpoint cursors(CursorHandler handler) {
        return new HttpEndpoint(settings.get(HttpSettings.API_PATH) + "/cursor", handler);
    }
}
