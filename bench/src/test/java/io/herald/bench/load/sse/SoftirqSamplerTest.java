package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The server CPU's softirq time: read from its /proc/stat line, and summed up per second of a window. */
class SoftirqSamplerTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theSoftirqFieldIsTheSeventhValueOfACpuLine() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertThat(MachineLoad.softirqTicks("cpu0 4843 0 1422 13299 34 3 187 6 0 0")).isEqualTo(187);
        assertThat(MachineLoad.softirqTicks("cpu12  1 2 3 4 5 6 7")).isEqualTo(7);
        assertThatThrownBy(() -> MachineLoad.softirqTicks("intr 360825 0 0 0 0 0 0 0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MachineLoad.softirqTicks("cpu0 1 2 3 4 5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisMachinesCpu0IsReadAndAMissingCpuIsMinusOne() {
        assertThat(MachineLoad.softirqTicks(0)).isNotNegative();
        assertThat(MachineLoad.softirqTicks(Integer.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void theRateIsOverTheWholeWindowAndThePeakIsTheHighestSecond() {
        // Six 1-s intervals: 45, 40, 60, 120, 65, 50 ticks/s.
        long[] nanos = {0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND, 5 * SECOND, 6 * SECOND};
        long[] ticks = {1000, 1045, 1085, 1145, 1265, 1330, 1380};

        SoftirqSampler.Figures f = SoftirqSampler.summarize(0, nanos, ticks);

        assertThat(f.peakPerSecond()).isCloseTo(120, within(1e-9));
        assertThat(f.perSecond()).isCloseTo(380 / 6.0, within(1e-9));
        // Only the raw figures are recorded: whether 120 is an episode is the report's call, against the run's level.
        assertThat(f.jsonFields()).isEqualTo("\"softirqCpu\":0,\"softirqPerSec\":63.3,\"softirqPeakPerSec\":120.0");
        assertThat(f.describe()).isEqualTo("63/s, peak 120");
    }

    @Test
    void aShortLastIntervalCountsInTheRateOnlyAndRatesUseTheRealIntervalLength() {
        // 1.25 s at 50 ticks/s, then 0.2 s with 30 ticks (150/s were it rated): too short to be the peak second.
        long[] nanos = {0, 1_250_000_000L, 1_450_000_000L};
        long[] ticks = {0, 62, 92};

        SoftirqSampler.Figures f = SoftirqSampler.summarize(1, nanos, ticks);

        assertThat(f.peakPerSecond()).isCloseTo(62 / 1.25, within(1e-9));
        assertThat(f.perSecond()).isCloseTo(92 / 1.45, within(1e-9));
        assertThat(f.cpu()).isEqualTo(1);
    }

    @Test
    void aSeriesWithAFailedReadingASingleSampleOrNoRatedSecondIsUnknown() {
        assertThat(SoftirqSampler.summarize(0, new long[] {0, SECOND}, new long[] {10, -1}).known()).isFalse();
        assertThat(SoftirqSampler.summarize(0, new long[] {0}, new long[] {10}).known()).isFalse();
        assertThat(SoftirqSampler.summarize(0, new long[] {0, 400_000_000L}, new long[] {10, 20}).known()).isFalse();
        assertThat(SoftirqSampler.Figures.UNKNOWN.jsonFields())
                .isEqualTo("\"softirqCpu\":null,\"softirqPerSec\":null,\"softirqPeakPerSec\":null");
    }

    @Test
    void theSamplerReadsOncePerSecondFromBeginForTheWindowsSeconds() throws Exception {
        // A counter that gains 80 ticks per reading.
        AtomicLong counter = new AtomicLong();
        SoftirqSampler sampler = new SoftirqSampler(0, 2, () -> counter.getAndAdd(80));
        sampler.arm();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(counter.get()).as("nothing is read before the window opens").isZero());

        sampler.begin();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter.get() >= 3 * 80);
        sampler.stop();

        SoftirqSampler.Figures f = sampler.figures();
        assertThat(counter.get()).as("one reading at the start and one per second of the window").isEqualTo(3 * 80);
        assertThat(f.perSecond()).isCloseTo(80, within(4.0));
        assertThat(f.peakPerSecond()).isCloseTo(80, within(4.0));
    }

    @Test
    void aServerNotPinnedToOneCpuIsNotSampled() throws Exception {
        SoftirqSampler none = SoftirqSampler.none();
        none.arm();
        none.begin();
        none.stop();
        assertThat(none.figures()).isEqualTo(SoftirqSampler.Figures.UNKNOWN);
    }
}
