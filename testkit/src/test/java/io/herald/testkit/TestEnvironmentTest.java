package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TestEnvironment reads its timeout from HERALD_TEST_TIMEOUT_MS")
class TestEnvironmentTest {

    @Test
    @DisplayName("defaults to 10 s and a 300 ms short TTL")
    void defaults() {
        TestEnvironment env = TestEnvironment.from(Map.of());
        assertThat(env.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(env.shortTtl()).isEqualTo(Duration.ofMillis(300));
        assertThat(TestEnvironment.from(Map.of(TestEnvironment.TIMEOUT_VARIABLE, " ")).timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("takes the timeout from the variable, in milliseconds")
    void variableSetsTheTimeout() {
        assertThat(TestEnvironment.from(Map.of(TestEnvironment.TIMEOUT_VARIABLE, "30000")).timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("refuses a value that is not a number, or too short to see a short TTL run out, naming the variable")
    void refusesBadValues() {
        assertThatThrownBy(() -> TestEnvironment.from(Map.of(TestEnvironment.TIMEOUT_VARIABLE, "10s")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HERALD_TEST_TIMEOUT_MS='10s'");
        assertThatThrownBy(() -> TestEnvironment.from(Map.of(TestEnvironment.TIMEOUT_VARIABLE, "300")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be above 300 ms");
        assertThatThrownBy(() -> new TestEnvironment(Duration.ofMillis(200), Duration.ofMillis(300)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TestEnvironment(Duration.ZERO, Duration.ofMillis(300)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("await gives up after the timeout, naming what it waited for")
    void awaitIsBounded() {
        TestEnvironment env = new TestEnvironment(Duration.ofMillis(400), Duration.ofMillis(100));
        assertThatThrownBy(() -> env.await("something that never happens").until(() -> false))
                .isInstanceOf(ConditionTimeoutException.class).hasMessageContaining("something that never happens");
    }
}
