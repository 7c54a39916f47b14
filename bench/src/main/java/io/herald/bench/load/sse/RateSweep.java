package io.herald.bench.load.sse;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The maximum sustainable rate of {@code sse-fanout} on one server, as the benchmarking method defines it:
 * the offered publish rate is stepped up (x1.5) until a run delivers less than 99.9% of its messages or
 * its p99 exceeds 100 ms, then bisected twice between the last rate that held and the first that did not.
 * The figure is the delivered messages per second of the best run that held. Not thread-safe.
 *
 * @param subscribers streams on the channel
 * @param startRate first offered rate (messages per second published)
 * @param warmup seconds of warm-up per step
 * @param duration measured seconds per step
 * @param maxSteps runs at most
 */
public record RateSweep(int subscribers, double startRate, double warmup, double duration, int maxSteps) {

    /** Every step run, in order, and the best one that held ({@code null} when none did). */
    public record Result(List<SseBench.Fanout> steps, SseBench.Fanout best) {
        public double bestDeliveredPerSecond() {
            return best == null ? 0 : best.result().deliveredPerSecond();
        }
    }

    public Result run(SseBench bench, int repetition, PrintStream log) throws Exception {
        List<SseBench.Fanout> steps = new ArrayList<>();
        SseBench.Fanout best = null;
        double lo = 0;
        double hi = Double.NaN;
        double rate = startRate;
        int bisections = 0;
        while (steps.size() < maxSteps) {
            SseBench.Fanout step = bench.fanout(subscribers, round(rate), warmup, duration, 2, false, repetition);
            steps.add(step);
            log.println("    sweep " + bench.target().name() + " rate " + round(rate) + "/s: " + step.toJson());
            log.flush();
            if (step.sustained()) {
                if (best == null || step.result().deliveredPerSecond() > best.result().deliveredPerSecond()) {
                    best = step;
                }
                lo = rate;
            } else {
                hi = rate;
            }
            if (Double.isNaN(hi)) {
                rate = rate * 1.5;
            } else if (lo == 0) {
                if (rate < startRate / 8) {
                    break;
                }
                rate = rate / 2;
            } else {
                if (bisections++ == 2) {
                    break;
                }
                rate = Math.sqrt(lo * hi);
            }
        }
        return new Result(steps, best);
    }

    private static double round(double rate) {
        return rate >= 100 ? Math.round(rate) : Math.round(rate * 10) / 10.0;
    }
}
