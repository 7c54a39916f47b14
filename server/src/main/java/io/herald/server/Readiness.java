package io.herald.server;

import io.herald.api.Lifecycle;
import io.herald.core.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;

/**
 * Whether the whole server is up: the last component to start (after the HTTP server has mounted every
 * endpoint) and the first to stop, so {@code /health} says 200 only while every part runs and turns 503 as
 * soon as a shutdown begins. Also remembers when the server became ready, for uptime. Thread-safe.
 */
@Singleton
final class Readiness implements Lifecycle, HealthCheck {

    private final Clock clock;
    private volatile Instant readySince;
    private volatile boolean stopping;

    @Inject
    Readiness(Clock clock) {
        this.clock = clock;
    }

    @Override
    public int phase() {
        // After HeraldHttpServer (TRANSPORT + 50): every endpoint is mounted before we report ready.
        return TRANSPORT + 100;
    }

    @Override
    public void start() {
        readySince = clock.instant();
    }

    @Override
    public void stop() {
        stopping = true;
    }

    /** When the server became ready, or {@code null} before. */
    Instant readySince() {
        return readySince;
    }

    @Override
    public String name() {
        return "herald";
    }

    @Override
    public String problem() {
        if (stopping) {
            return "Herald is stopping";
        }
        return readySince == null ? "Herald is starting" : null;
    }
}
