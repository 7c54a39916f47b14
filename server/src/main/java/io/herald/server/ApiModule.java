package io.herald.server;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.core.HealthCheck;
import io.herald.core.config.Settings;
import io.herald.http.HttpEndpoint;

/**
 * The server's HTTP API as {@link HttpEndpoint}s: publish, history, presence and stats under {@code api.path}
 * (guarded by the API key when one is set), health at {@code health.path}, and a JSON 404 for every other
 * path. Binds only; needs {@link io.herald.http.HttpServerModule} to be mounted.
 */
public final class ApiModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(Readiness.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(Readiness.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(RequestBodies.class);
    }

    @ProvidesIntoSet
    HttpEndpoint publish(PublishHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.API_PATH) + "/publish", handler);
    }

    @ProvidesIntoSet
    HttpEndpoint history(HistoryHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.API_PATH) + "/history", handler);
    }

    @ProvidesIntoSet
    HttpEndpoint presence(PresenceHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.API_PATH) + "/presence", handler);
    }

    @ProvidesIntoSet
    HttpEndpoint presenceTime(PresenceTimeHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.API_PATH) + "/presence/time", handler);
    }

    @ProvidesIntoSet
    HttpEndpoint stats(StatsHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.API_PATH) + "/stats", handler);
    }

    @ProvidesIntoSet
    HttpEndpoint health(HealthHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.HEALTH_PATH), handler);
    }

    @ProvidesIntoSet
    HttpEndpoint notFound(NotFoundHandler handler) {
        return new HttpEndpoint("/", handler);
    }
}
