package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Lifecycle;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Readiness")
class ReadinessTest {

    @Test
    @DisplayName("is unhealthy before start and from stop on, healthy in between")
    void lifecycle() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        Readiness readiness = new Readiness(Clock.fixed(now, ZoneOffset.UTC));
        assertThat(readiness.problem()).contains("starting");
        assertThat(readiness.readySince()).isNull();

        readiness.start();
        assertThat(readiness.problem()).isNull();
        assertThat(readiness.readySince()).isEqualTo(now);

        readiness.stop();
        assertThat(readiness.problem()).contains("stopping");
    }

    @Test
    @DisplayName("starts after the HTTP server and so stops before it")
    void phase() {
        assertThat(new Readiness(Clock.systemUTC()).phase()).isGreaterThan(Lifecycle.TRANSPORT + 50);
    }
}
