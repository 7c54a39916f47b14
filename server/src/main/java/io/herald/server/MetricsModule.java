package io.herald.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import io.herald.api.Lifecycle;
import io.herald.core.config.Settings;
import io.herald.http.HttpEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;

/**
 * Makes a {@link PrometheusMeterRegistry} Herald's {@link MeterRegistry} (replacing core's default through its
 * {@link OptionalBinder}), adds the JVM meters and serves them at {@code metrics.path}. Binds only.
 */
public final class MetricsModule extends AbstractModule {

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding().to(PrometheusMeterRegistry.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(JvmMetrics.class);
    }

    @Provides
    @Singleton
    PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @ProvidesIntoSet
    HttpEndpoint metricsEndpoint(MetricsHandler handler, Settings settings) {
        return new HttpEndpoint(settings.get(ServerSettings.METRICS_PATH), handler);
    }
}
