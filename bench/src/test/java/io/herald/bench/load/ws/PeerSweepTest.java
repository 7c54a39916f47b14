package io.herald.bench.load.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.load.LoadResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a sweep step counts as sustained, and what the sweep's summary makes of the steps. */
class PeerSweepTest {

    private static final PeerSweep SWEEP = new PeerSweep(100, 1000);

    /** A step at {@code rate} msg/s to 100 subscribers: {@code window} deliveries/s, p99 in ms, lost messages. */
    private static LoadResult step(int rep, double rate, double window, double p99Ms, long lost, long errors) {
        long expected = (long) (rate * 10 * 100);
        return new LoadResult("bayeux-herald", rep, rate, 5, 10, (long) (rate * 10), expected, expected - lost,
                window, window, lost, 0, 0, errors, errors > 0 ? "boom" : null, 1000, (long) (p99Ms * 1000),
                (long) (p99Ms * 1000), (long) (p99Ms * 1000), 1_000_000, 20.0, -1, -1, -1, "test");
    }

    @Test
    void aStepIsSustainedOnlyWithoutLossErrorsOrLagAndUnderTheP99Bound() {
        assertThat(SWEEP.sustained(step(1, 20, 2000, 50, 0, 0))).isTrue();
        assertThat(SWEEP.sustained(step(1, 20, 1980, 1000, 0, 0))).as("99%% of offered, p99 at the bound").isTrue();
        assertThat(SWEEP.why(step(1, 20, 1979, 50, 0, 0))).contains("under 99%");
        assertThat(SWEEP.why(step(1, 20, 2000, 1001, 0, 0))).contains("p99 1001.0 ms over 1000 ms");
        assertThat(SWEEP.why(step(1, 20, 2000, 50, 1, 0))).contains("lost 1");
        assertThat(SWEEP.why(step(1, 20, 2000, 50, 0, 2))).contains("2 errors");
    }

    @Test
    void theSummaryGivesTheHighestSustainedStepPerRepetitionAndTheRatio() {
        List<PeerSuite.Run> runs = List.of(
                new PeerSuite.Run("herald", step(1, 10, 1000, 20, 0, 0), 0.1, 0.1),
                new PeerSuite.Run("herald", step(1, 40, 4000, 300, 0, 0), 0.1, 0.1),
                new PeerSuite.Run("herald", step(1, 80, 5000, 3000, 0, 0), 0.1, 0.1),
                new PeerSuite.Run("cometd", step(1, 10, 1000, 50, 0, 0), 0.1, 0.1),
                new PeerSuite.Run("cometd", step(1, 20, 1500, 900, 0, 0), 0.1, 0.1));

        String summary = SWEEP.summary(runs);

        assertThat(summary).contains("p99 bound 1000 ms")
                .contains("| herald | 4000 | 4000 | 40 [40-40] | 300.0 [300.0-300.0] |")
                .contains("| cometd | 1000 | 1000 | 10 [10-10] | 50.0 [50.0-50.0] |")
                .contains("Herald vs cometd: sustainable deliveries/s x4.00 (target >= 3), p99 there x0.17")
                // 3x cometd's 1000/s: Herald's 40/s step (the lowest at or above 3000/s), p99 300 ms against 50 ms.
                .contains("Target against cometd: 3x = 3000 deliveries/s, sustained by Herald in 1 of 1 repetitions, "
                        + "p99 there 300.0 [300.0-300.0] ms (median) against cometd's 50.0 ms at its maximum: NOT MET (p99)");
        // Against 100 ms, Herald's 40/s step (p99 300 ms) no longer counts.
        assertThat(summary.substring(summary.indexOf("p99 bound 100 ms")))
                .contains("| herald | 1000 | 1000 | 10 [10-10] | 20.0 [20.0-20.0] |")
                .contains("Herald vs cometd: sustainable deliveries/s x1.00")
                .contains("3x = 3000 deliveries/s, sustained by Herald in 0 of 1 repetitions: NOT MET");
    }
}
