package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A repetition is disturbed relative to the run's own softirq level, whatever that level is on this machine. */
class SoftirqBaselineTest {

    @Test
    void theBaselineIsTheMedianWindowRateOfTheReadWindows() {
        List<SoftirqSampler.Figures> odd = List.of(window(15, 20), window(40, 80), window(13, 17),
                SoftirqSampler.Figures.UNKNOWN, window(17, 23));
        List<SoftirqSampler.Figures> even = List.of(window(15, 20), window(13, 17), window(17, 23), window(40, 80));

        assertThat(SoftirqBaseline.of(odd, 1.6).perSecond()).isEqualTo(16); // 13, 15, 17, 40: the unread one left out
        assertThat(SoftirqBaseline.of(odd, 1.6).windows()).isEqualTo(4);
        assertThat(SoftirqBaseline.of(List.of(window(15, 20), window(40, 80), window(13, 17)), 1.6).perSecond()).isEqualTo(15);
        assertThat(SoftirqBaseline.of(even, 1.6).perSecond()).isEqualTo(16);
        assertThat(SoftirqBaseline.of(List.of(SoftirqSampler.Figures.UNKNOWN), 1.6).judged()).isFalse();
    }

    @Test
    void aPeakAtOrAboveFactorTimesBaselineIsDisturbedAndJustBelowIsClean() {
        // Today's level: windows of 13-17 ticks/s, baseline 15, threshold 24.
        SoftirqBaseline baseline = SoftirqBaseline.of(List.of(window(13, 19), window(15, 21), window(17, 23)), 1.6);
        assertThat(baseline.threshold()).isCloseTo(24, within(1e-9));

        assertThat(baseline.disturbed(window(15, 24))).isTrue();
        assertThat(baseline.clean(window(15, 24))).isFalse();
        assertThat(baseline.disturbed(window(15, 23.9))).isFalse();
        assertThat(baseline.clean(window(15, 23.9))).isTrue();
        // An episode that doubles the level: far under the old absolute 60, marked here.
        assertThat(baseline.disturbed(window(22, 32))).isTrue();
        // Unread: neither disturbed nor known to be clean.
        assertThat(baseline.disturbed(SoftirqSampler.Figures.UNKNOWN)).isFalse();
        assertThat(baseline.clean(SoftirqSampler.Figures.UNKNOWN)).isFalse();
    }

    @Test
    void theSameEpisodeIsJudgedAgainstEachRunsOwnLevel() {
        // A peak of 50 is an episode on a machine at 15 ticks/s and a clean second on one at 40.
        SoftirqBaseline low = SoftirqBaseline.of(List.of(window(14, 20), window(15, 22), window(16, 21)), 1.6);
        SoftirqBaseline high = SoftirqBaseline.of(List.of(window(38, 50), window(40, 55), window(45, 60)), 1.6);

        assertThat(low.disturbed(window(20, 50))).isTrue();
        assertThat(high.disturbed(window(40, 50))).isFalse();
        assertThat(high.disturbed(window(60, 64))).isTrue();
    }

    @Test
    void aLevelTooLowForTheCountersResolutionIsNotJudged() {
        // The quick profile: ~1 tick/s with peaks of 2, already 2x the level.
        SoftirqBaseline quick = SoftirqBaseline.of(List.of(window(1, 2), window(1, 2), window(1, 1)), 1.6);

        assertThat(quick.judged()).isFalse();
        assertThat(quick.disturbed(window(1, 2))).isFalse();
        assertThat(quick.clean(window(1, 1))).isFalse();
        assertThat(SoftirqBaseline.of(List.of(window(10, 12)), 1.6).judged()).isTrue();
    }

    @Test
    void aFactorOfOneOrLessIsRefused() {
        assertThatThrownBy(() -> SoftirqBaseline.of(List.of(), 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SoftirqBaseline.of(List.of(), Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static SoftirqSampler.Figures window(double perSecond, double peakPerSecond) {
        return new SoftirqSampler.Figures(0, perSecond, peakPerSecond);
    }
}
