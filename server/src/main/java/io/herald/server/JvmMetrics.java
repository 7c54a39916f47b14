package io.herald.server;

import io.herald.api.Lifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Binds the JVM's memory, thread, GC, class loader, processor and uptime meters to the registry on start, and
 * unhooks the GC listener on stop. A lifecycle rather than module code because the GC binder registers
 * JMX notification listeners. Thread-confined to Herald's start and stop.
 */
@Singleton
final class JvmMetrics implements Lifecycle {

    private final MeterRegistry registry;
    private JvmGcMetrics gc;

    @Inject
    JvmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void start() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
    }

    @Override
    public void stop() {
        if (gc != null) {
            gc.close();
        }
    }

    @Override
    public int phase() {
        return ENGINE;
    }
}
