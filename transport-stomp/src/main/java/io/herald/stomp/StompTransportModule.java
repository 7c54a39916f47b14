package io.herald.stomp;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.api.SessionListener;
import io.herald.core.Handlers;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import io.herald.http.HttpEndpoint;
import jakarta.inject.Singleton;

/**
 * Binds the STOMP transport: the WebSocket endpoint at {@code stomp.path} (default {@code /stomp}), mounted
 * by Herald's HTTP server when there is one, and the same handler named {@code "stomp"} for an application's
 * own Jetty server ({@link io.herald.core.Herald#handler}), and the plain TCP listener, which listens only when
 * {@code stomp.tcp-port} is set. Binds only.
 */
public final class StompTransportModule extends AbstractModule implements PluginModule {

    private final StompSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for a setting that does not parse
     */
    public StompTransportModule(Settings settings) {
        this.settings = StompSettings.from(settings);
    }

    @Override
    public StompSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(StompTransport.class).in(Singleton.class);
        bind(DurableSubscriptions.class).in(Singleton.class);
        bind(StompWebSocketHandler.class).in(Singleton.class);
        bind(StompTcpServer.class).in(Singleton.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(StompTransport.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(StompTcpServer.class);
        Multibinder.newSetBinder(binder(), SessionListener.class).addBinding().to(DurableSubscriptions.class);
        Handlers.bind(binder(), "stomp").to(StompRoutes.class);
    }

    @Provides
    @Singleton
    StompRoutes routes(StompWebSocketHandler endpoint) {
        return new StompRoutes(settings, endpoint);
    }

    @ProvidesIntoSet
    HttpEndpoint endpoint(StompWebSocketHandler handler) {
        return new HttpEndpoint(settings.path(), handler);
    }
}
