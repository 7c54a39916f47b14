package io.herald.http;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.Lifecycle;
import io.herald.core.HealthCheck;

/** Binds {@link HeraldHttpServer}, which mounts every {@link HttpEndpoint} bound by other modules. */
public final class HttpServerModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HttpEndpoint.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(HeraldHttpServer.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(HeraldHttpServer.class);
    }
}
