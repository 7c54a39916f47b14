package io.herald.bench.load.sse;

import java.util.Collection;

/**
 * Tells the fan-out repetitions the kernel's slow mode hit from the clean ones, against the run's own softirq
 * level on the server CPU rather than an absolute figure. The clean level differs with the machine, the load and
 * the day: the default threshold of 60 ticks/s this replaces was read off docs/benchmarks.md's timeline ("the
 * slow mode read per thread", r3: 35-50 outside episodes, >= 65 in them, from samples taken every 2 s), while the
 * full-profile runs of 2026-12-05 13:36-13:47 UTC (50,000 deliveries/s) read 13-17 ticks/s with 1-s peaks of
 * 17-23; there an episode that doubles the level stays near 35, and 60 never fires.
 *
 * <p>The baseline is the median of the window rates ({@link SoftirqSampler.Figures#perSecond()}) of all
 * fan-out repetitions of the run, all servers together (they put about the same kernel work per delivery on
 * the CPU: 16 and 19 ticks/s for clean Herald and Nchan repetitions of the same run, r1). A median, so
 * episodes do not raise it while they hit fewer than half the windows. A repetition is disturbed when its
 * highest 1-s rate reaches {@code factor} x the baseline. Immutable.
 *
 * @param perSecond the run's baseline in ticks/s; -1 when no window was read
 * @param factor how far above the baseline a 1-s peak marks its repetition as disturbed (> 1)
 * @param windows how many windows with known figures the baseline is the median of
 */
record SoftirqBaseline(double perSecond, double factor, int windows) {

    /**
     * Below this baseline (ticks/s) nothing is judged. The counter's unit is one tick, so at the quick profile's
     * level of ~1 tick/s a peak of 2 is already 2x the baseline: the ratio measures the counter's resolution,
     * not the kernel. At 10 ticks/s one tick is 10% of the level, well inside the factor's margin.
     */
    static final double MIN_JUDGED_PER_SECOND = 10;

    SoftirqBaseline {
        if (!(factor > 1)) {
            throw new IllegalArgumentException("the softirq factor must be above 1, or every repetition is disturbed: " + factor);
        }
    }

    /** The baseline of a run's fan-out windows; unread ones ({@link SoftirqSampler.Figures#UNKNOWN}) do not count. */
    static SoftirqBaseline of(Collection<SoftirqSampler.Figures> windows, double factor) {
        double[] rates = windows.stream().filter(SoftirqSampler.Figures::known)
                .mapToDouble(SoftirqSampler.Figures::perSecond).sorted().toArray();
        int n = rates.length;
        double median = n == 0 ? -1 : n % 2 == 1 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
        return new SoftirqBaseline(median, factor, n);
    }

    /** Whether the run's level is high enough for its repetitions to be told apart (see {@link #MIN_JUDGED_PER_SECOND}). */
    boolean judged() {
        return windows > 0 && perSecond >= MIN_JUDGED_PER_SECOND;
    }

    /** The 1-s rate (ticks/s) from which a repetition is disturbed. */
    double threshold() {
        return factor * perSecond;
    }

    /** Whether the slow mode hit this window: judged, read, and its peak second at or above the threshold. */
    boolean disturbed(SoftirqSampler.Figures window) {
        return judged() && window.known() && window.peakPerSecond() >= threshold();
    }

    /** Whether this window is known to be clean: judged, read, and no second at or above the threshold. */
    boolean clean(SoftirqSampler.Figures window) {
        return judged() && window.known() && window.peakPerSecond() < threshold();
    }
}
