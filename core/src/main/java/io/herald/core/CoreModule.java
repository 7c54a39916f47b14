package io.herald.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.Authenticator;
import io.herald.api.Authorizer;
import io.herald.api.Lifecycle;
import io.herald.api.Retention;
import io.herald.api.SessionListener;
import io.herald.api.SubscriptionBacklog;
import io.herald.core.auth.HmacTokens;
import io.herald.core.auth.TokenAuthenticator;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Binds the engine and its defaults; every default can be replaced with {@link OptionalBinder#setBinding()}
 * in another module: the {@link MeterRegistry} (server binds Prometheus), the {@link Authorizer} (what a
 * token grants), the {@link Authenticator} (tokens when {@code token.secret} is set, else anonymous), the
 * {@link Clock}, the {@link SubscriptionBacklog} (none: history alone). Binds only; nothing starts here.
 */
final class CoreModule extends AbstractModule {

    private final Settings settings;

    CoreModule(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setDefault().to(SimpleMeterRegistry.class);
        bind(SimpleMeterRegistry.class).in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), Authorizer.class).setDefault().toInstance(Authorizer.TOKEN_GRANTS);
        OptionalBinder.newOptionalBinder(binder(), Clock.class).setDefault().toInstance(Clock.systemUTC());
        OptionalBinder.newOptionalBinder(binder(), SubscriptionBacklog.class).setDefault().toInstance(SubscriptionBacklog.NONE);
        OptionalBinder.newOptionalBinder(binder(), Authenticator.class).setDefault().toProvider(this::authenticator);
        Multibinder<Lifecycle> lifecycle = Multibinder.newSetBinder(binder(), Lifecycle.class);
        lifecycle.addBinding().to(EngineThreads.class);
        lifecycle.addBinding().to(Engine.class);
        lifecycle.addBinding().to(SessionService.class);
        Multibinder.newSetBinder(binder(), PublishListener.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class);
        Multibinder.newSetBinder(binder(), SessionListener.class);
        Multibinder.newSetBinder(binder(), ConnectionListener.class);
        Multibinder.newSetBinder(binder(), ServerChannels.class);
        Handlers.map(binder());
    }

    private Authenticator authenticator() {
        String secret = settings.get(CoreSettings.TOKEN_SECRET);
        return secret == null ? Authenticator.ANONYMOUS : new TokenAuthenticator(new HmacTokens(secret));
    }

    @Provides
    @Singleton
    Retention.Policy retention() {
        return Retention.Policy.uniform(new Retention(settings.get(CoreSettings.HISTORY_SIZE), settings.get(CoreSettings.HISTORY_MAX_AGE)));
    }
}
