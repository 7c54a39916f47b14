package io.herald.bayeux;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.core.Handlers;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import io.herald.http.HttpEndpoint;
import jakarta.inject.Singleton;

/**
 * Binds the Bayeux transport: its handler at {@code bayeux.path} and every path under it (default
 * {@code /bayeux}), mounted by Herald's HTTP server when there is one, and as the handler named
 * {@code "bayeux"} for an application's own Jetty server. Declares the (possibly empty) sets of
 * {@link BayeuxExtension}s and {@link BayeuxService}s applications add to. Binds only.
 */
public final class BayeuxTransportModule extends AbstractModule implements PluginModule {

    private final BayeuxSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for a setting that does not parse
     */
    public BayeuxTransportModule(Settings settings) {
        this.settings = BayeuxSettings.from(settings);
    }

    @Override
    public BayeuxSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(BayeuxServer.class).in(Singleton.class);
        bind(BayeuxProtocol.class).in(Singleton.class);
        bind(BayeuxHandler.class).in(Singleton.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(BayeuxServer.class);
        Multibinder.newSetBinder(binder(), BayeuxExtension.class);
        Multibinder.newSetBinder(binder(), BayeuxService.class);
        Handlers.bind(binder(), "bayeux").to(BayeuxRoutes.class);
    }

    /** The mount path and everything under it: {@code /bayeux/*} also matches {@code /bayeux}. */
    String pathSpec() {
        return settings.path() + "/*";
    }

    @Provides
    @Singleton
    BayeuxRoutes routes(BayeuxHandler handler) {
        return new BayeuxRoutes(pathSpec(), handler);
    }

    @ProvidesIntoSet
    HttpEndpoint endpoint(BayeuxHandler handler) {
        return new HttpEndpoint(pathSpec(), handler);
    }
}
