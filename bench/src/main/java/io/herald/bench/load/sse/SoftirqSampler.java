package io.herald.bench.load.sse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Samples the server CPU's softirq time (its {@code cpuN} line of {@code /proc/stat}) once a second over a
 * fan-out's measured window. This machine's kernel has "slow-mode" episodes: every ~60-90 s, for a few to
 * ~20 seconds, the softirq time of the servers' CPU roughly doubles and any server measured then looks
 * ~1.5-2x slower (docs/benchmarks.md, "the slow mode read per thread"). An average over a 20 s window can
 * hide a 3 s episode, so the peak 1-s rate is kept as well. Whether a peak is an episode is not decided here:
 * the clean level differs from machine to machine and with the load, so {@link SoftirqBaseline} judges it
 * at report time against the run's own level.
 *
 * <p>Lifecycle: {@link #arm()} before the run (starts the sampling thread, which waits), {@link #begin()} from the
 * scheduler at the first measured send (cheap: it only releases that thread), {@link #stop()} when the run
 * ends; the thread also stops by itself once the window's seconds are sampled. Thread-safe.
 */
public final class SoftirqSampler {

    /** 1-s intervals shorter than this (the last one of a window cut short) are too coarse at 100 ticks/s to rate. */
    private static final long MIN_RATED_NANOS = 500_000_000L;

    /**
     * The softirq figures of one window in ticks/s: the whole window's rate and its highest 1-s rate; all -1
     * when they could not be read.
     */
    public record Figures(int cpu, double perSecond, double peakPerSecond) {

        static final Figures UNKNOWN = new Figures(-1, -1, -1);

        public boolean known() {
            return cpu >= 0;
        }

        /** The fields this adds to a fan-out's JSON line (without braces), null when unknown. */
        String jsonFields() {
            return "\"softirqCpu\":" + (known() ? Integer.toString(cpu) : "null")
                    + ",\"softirqPerSec\":" + (known() ? num(perSecond) : "null")
                    + ",\"softirqPeakPerSec\":" + (known() ? num(peakPerSecond) : "null");
        }

        /** A short text for the printout and the report, e.g. {@code 15/s, peak 21}. */
        String describe() {
            return known() ? String.format(Locale.ROOT, "%.0f/s, peak %.0f", perSecond, peakPerSecond) : "n/a";
        }

        private static String num(double value) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
    }

    private final int cpu;
    private final int seconds;
    private final LongSupplier ticks;
    private final List<long[]> samples = new ArrayList<>();
    private final CountDownLatch began = new CountDownLatch(1);
    private volatile boolean stopped;
    private Thread thread;

    /**
     * @param windowSeconds the measured window's length; ceil(windowSeconds) 1-s intervals are sampled
     */
    SoftirqSampler(int cpu, double windowSeconds) {
        this(cpu, windowSeconds, () -> MachineLoad.softirqTicks(cpu));
    }

    SoftirqSampler(int cpu, double windowSeconds, LongSupplier ticks) {
        this.cpu = cpu;
        this.seconds = Math.max(1, (int) Math.ceil(windowSeconds - 1e-9));
        this.ticks = ticks;
    }

    /** Starts the sampling thread; it waits for {@link #begin()}. */
    synchronized void arm() {
        if (thread != null || cpu < 0) {
            return;
        }
        thread = new Thread(this::sample, "softirq-sampler-cpu" + cpu);
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the window: the first sample is taken now. */
    void begin() {
        began.countDown();
    }

    /** Ends sampling (a last, partial interval is taken if the window is cut short) and waits for the thread. */
    void stop() throws InterruptedException {
        stopped = true;
        began.countDown();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    /** The figures of the sampled window; {@link Figures#UNKNOWN} when it never began or the counter cannot be read. */
    Figures figures() {
        synchronized (samples) {
            int n = samples.size();
            long[] at = new long[n];
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                at[i] = samples.get(i)[0];
                values[i] = samples.get(i)[1];
            }
            return summarize(cpu, at, values);
        }
    }

    private void sample() {
        try {
            began.await();
        } catch (InterruptedException e) {
            return;
        }
        if (stopped) {
            return;
        }
        long start = System.nanoTime();
        record(start);
        for (int i = 1; i <= seconds; i++) {
            long due = start + i * 1_000_000_000L;
            for (long wait = due - System.nanoTime(); wait > 0 && !stopped; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            record(System.nanoTime());
            if (stopped) {
                return;
            }
        }
    }

    private void record(long now) {
        long value = ticks.getAsLong();
        synchronized (samples) {
            samples.add(new long[] {now, value});
        }
    }

    /**
     * The figures of a series of samples ({@code nanos[i]}: when {@code ticks[i]} was read, ascending): the
     * rate over the whole series and the highest rate of one interval between consecutive samples. Intervals
     * shorter than half a second count in the overall rate only (one tick more or less would swing their rate
     * by 2 ticks/s or more). Unknown when fewer than two samples were taken, any reading failed (-1) or no
     * interval was long enough to rate (a window without a peak cannot be judged).
     */
    static Figures summarize(int cpu, long[] nanos, long[] ticks) {
        if (nanos.length < 2 || nanos.length != ticks.length) {
            return Figures.UNKNOWN;
        }
        for (long t : ticks) {
            if (t < 0) {
                return Figures.UNKNOWN;
            }
        }
        long span = nanos[nanos.length - 1] - nanos[0];
        if (span <= 0) {
            return Figures.UNKNOWN;
        }
        double overall = (ticks[ticks.length - 1] - ticks[0]) * 1e9 / span;
        double peak = -1;
        for (int i = 1; i < nanos.length; i++) {
            long interval = nanos[i] - nanos[i - 1];
            if (interval < MIN_RATED_NANOS) {
                continue;
            }
            double rate = (ticks[i] - ticks[i - 1]) * 1e9 / interval;
            peak = Math.max(peak, rate);
        }
        return peak < 0 ? Figures.UNKNOWN : new Figures(cpu, overall, peak);
    }

    /** A sampler that samples nothing: the server is not pinned to one known CPU. */
    static SoftirqSampler none() {
        return new SoftirqSampler(-1, 1, () -> -1);
    }
}
