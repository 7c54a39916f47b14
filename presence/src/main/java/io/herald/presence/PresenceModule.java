package io.herald.presence;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.Lifecycle;
import io.herald.core.ConnectionListener;
import io.herald.core.ServerChannels;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginModule;
import jakarta.inject.Singleton;

/**
 * Binds the presence extension: the {@link PresenceService} on the core's connection hooks and lifecycle,
 * and the companion channels {@code /presence/**} as the server's own. Works on whichever store is active
 * (its {@link io.herald.api.PresenceStore}) and with every transport:
 * <pre>{@code
 * Herald herald = Herald.builder()
 *         .settings(settings)                       // presence.channels, presence.grace, presence.ttl, ...
 *         .store(new RedisStoreModule(settings))
 *         .transport(new SseTransportModule(settings))
 *         .extension(new PresenceModule(settings))
 *         .build()
 *         .start();
 * }</pre>
 * Binds only. Not thread-safe (Guice uses a module from one thread).
 */
public final class PresenceModule extends AbstractModule implements PluginModule {

    private final PresenceSettings settings;

    /**
     * @throws io.herald.core.config.ConfigurationException for a setting that does not parse
     */
    public PresenceModule(Settings settings) {
        this.settings = PresenceSettings.from(settings);
    }

    @Override
    public PresenceSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        bind(PresenceSettings.class).toInstance(settings);
        bind(PresenceService.class).in(Singleton.class);
        Multibinder.newSetBinder(binder(), PresenceListener.class);
        Multibinder.newSetBinder(binder(), ConnectionListener.class).addBinding().to(PresenceService.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(PresenceService.class);
        Multibinder.newSetBinder(binder(), ServerChannels.class).addBinding().to(PresenceChannels.class);
    }

    @Provides
    @Singleton
    PresenceChannels channels() {
        // validate() ran before the injector was built, so the patterns parse.
        return new PresenceChannels(settings.patterns());
    }
}
