package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The jitter probe sees a CPU shared with a busy process, from a JVM of its own pinned there, and reports it. */
class SchedulingJitterTest {

    @Test
    void aCpuSharedWithABusyProcessShowsItsSlicesAsGaps() throws Exception {
        Process busy = new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start();
        try {
            SchedulingJitter.Result shared = SchedulingJitter.onCpu(0, 1.0);

            // Two runnable threads on one CPU take turns in slices of milliseconds: the probe waits out each of the other's.
            assertThat(shared.cpu()).isZero();
            assertThat(shared.gaps()).isGreaterThanOrEqualTo(10);
            assertThat(shared.longestMillis()).isGreaterThan(1.0).isLessThanOrEqualTo(shared.gapMillis());
            assertThat(shared.gapMillis()).isGreaterThan(100).isLessThan(1000);
        } finally {
            busy.destroyForcibly().waitFor();
        }
    }

    @Test
    void aResultReadsBackFromItsJsonAndDescribesItself() {
        SchedulingJitter.Result result = new SchedulingJitter.Result(0, 5, 12, 31.25, 4.125);

        assertThat(SchedulingJitter.Result.parse(result.toJson())).isEqualTo(new SchedulingJitter.Result(0, 5, 12, 31.3, 4.1));
        assertThat(result.describe()).isEqualTo("CPU 0: longest gap 4.1 ms, 12 gaps > 1 ms (31 ms in all) in 5 s");
        assertThat(new SchedulingJitter.Result(-1, 5, 0, 0, 0).describe()).startsWith("its own CPU: longest gap 0.0 ms, 0 gaps");
        assertThatThrownBy(() -> SchedulingJitter.Result.parse("oops")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReportsHeadTellsHowQuietTheCpusWere() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), java.util.List.of("herald"), 1.6);
        report.jitter(java.util.List.of(new SchedulingJitter.Result(0, 5, 3, 7.5, 3.2), new SchedulingJitter.Result(-1, 5, 1, 1.5, 1.5)));

        assertThat(report.markdown("cmd")).contains("Scheduling jitter before the run",
                "CPU 0: longest gap 3.2 ms, 3 gaps > 1 ms (8 ms in all) in 5 s; its own CPU: longest gap 1.5 ms");
    }
}
