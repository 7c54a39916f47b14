package io.herald.sse;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.core.Handlers;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import io.herald.http.HttpEndpoint;
import io.herald.http.HttpSettings;
import jakarta.inject.Singleton;

/**
 * Binds the SSE transport: the stream endpoint at {@code sse.path} (default {@code /sse}) and the cursor
 * endpoint at {@code sse.cursor-path} (default {@code /api/cursor}), mounted by Herald's HTTP server when
 * there is one, and both as the handler named {@code "sse"} for an application's own Jetty server
 * ({@link io.herald.core.Herald#handler}). Binds only.
 */
public final class SseTransportModule extends AbstractModule implements PluginModule {

    private final SseSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for a setting that does not parse
     */
    public SseTransportModule(Settings settings) {
        this.settings = SseSettings.from(settings);
    }

    @Override
    public SseSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(SseTransport.class).in(Singleton.class);
        bind(SseHandler.class).in(Singleton.class);
        bind(CursorHandler.class).in(Singleton.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(SseTransport.class);
        Handlers.bind(binder(), "sse").to(SseRoutes.class);
    }

    @Provides
    @Singleton
    SseRoutes routes(SseHandler streams, CursorHandler cursors) {
        return new SseRoutes(settings, streams, cursors);
    }

    @ProvidesIntoSet
    HttpEndpoint streams(SseHandler handler) {
        return new HttpEndpoint(settings.path(), handler);
    }

    @ProvidesIntoSet
    HttpEndpoint cursors(CursorHandler handler) {
        return new HttpEndpoint(settings.cursorPath(), handler);
    }
}
