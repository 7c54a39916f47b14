package io.herald.bench.load.ws;

import io.herald.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * When a step of a {@code --rates} sweep of {@link PeerSuite} counts as sustained, and the sweep's summary.
 * A step is sustained when every measured message reached every subscriber within the drain (no loss, no
 * duplicate, no reordering, no error), the deliveries that arrived while the measured messages were sent
 * kept up with the offered rate ({@link LoadResult#windowDeliveredPerSecond()} at least 99% of rate x
 * subscribers: a server that falls behind delivers less per second than offered, whatever its lag), and the
 * p99 latency is at most {@code p99BoundMs}. A server's maximum sustainable rate in one repetition is its
 * highest sustained step; the summary reports it per server (median over repetitions), with the p99 there,
 * and Herald's ratio to each other server. It also reads the same steps against the method's tighter
 * 100 ms p99 bound ({@code shared/reference/benchmarking.md}), as the 1 s bound is a chat-room bound.
 * Immutable.
 */
public record PeerSweep(int subscribers, double p99BoundMs) {

    /** The tighter p99 bound the same steps are also read against. */
    static final double TIGHT_P99_BOUND_MS = 100;

    public boolean sustained(LoadResult r) {
        return why(r, p99BoundMs) == null;
    }

    /** Why {@code r} is not sustained ({@code null} when it is). */
    public String why(LoadResult r) {
        return why(r, p99BoundMs);
    }

    private String why(LoadResult r, double boundMs) {
        if (r.errors() > 0) {
            return r.errors() + " errors, first: " + r.firstError();
        }
        if (r.lost() > 0 || r.duplicated() > 0 || r.reordered() > 0) {
            return "lost " + r.lost() + ", duplicated " + r.duplicated() + ", reordered " + r.reordered();
        }
        double offered = r.offeredRate() * subscribers;
        if (r.windowDeliveredPerSecond() < 0.99 * offered) {
            return String.format(Locale.ROOT, "%.0f deliveries/s during the window, under 99%% of the %.0f offered",
                    r.windowDeliveredPerSecond(), offered);
        }
        if (r.p99Micros() < 0 || r.p99Micros() > boundMs * 1000) {
            return String.format(Locale.ROOT, "p99 %.1f ms over %.0f ms", r.p99Micros() / 1000.0, boundMs);
        }
        return null;
    }

    /** The highest sustained step among {@code steps} under {@code boundMs}, if any. */
    Optional<LoadResult> best(List<LoadResult> steps, double boundMs) {
        return steps.stream().filter(r -> why(r, boundMs) == null).max(Comparator.comparingDouble(LoadResult::offeredRate));
    }

    /** Per server: the maximum sustainable rate per repetition and their medians, then Herald's ratios. */
    public String summary(List<PeerSuite.Run> runs) {
        StringBuilder b = new StringBuilder();
        for (double bound : new double[] {p99BoundMs, TIGHT_P99_BOUND_MS}) {
            b.append(String.format(Locale.ROOT, "Maximum sustainable rate, p99 bound %.0f ms (%d subscribers)%n", bound, subscribers))
                    .append("| server | sustainable deliveries/s per repetition | median | offered msg/s there | p99 ms there | "
                            + "server CPU us/msg there | first step not sustained |\n|---|---|---|---|---|---|---|\n");
            Map<String, double[]> medians = new LinkedHashMap<>();
            java.util.Set<String> censored = new java.util.HashSet<>();
            for (var e : byServerAndRepetition(runs).entrySet()) {
                List<Double> rates = new ArrayList<>();
                List<Double> p99s = new ArrayList<>();
                List<Double> offered = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                for (List<LoadResult> steps : e.getValue().values()) {
                    Optional<LoadResult> best = best(steps, bound);
                    rates.add(best.map(LoadResult::windowDeliveredPerSecond).orElse(0.0));
                    best.ifPresent(r -> {
                        p99s.add(r.p99Micros() / 1000.0);
                        offered.add(r.offeredRate());
                        cpu.add(r.cpuMicrosPerDelivery());
                    });
                    steps.stream().filter(r -> why(r, bound) != null).findFirst()
                            .ifPresent(r -> failures.add(String.format(Locale.ROOT, "%.0f/s: %s", r.offeredRate(), why(r, bound))));
                    if (best.isPresent() && steps.stream().noneMatch(r -> r.offeredRate() > best.get().offeredRate())) {
                        censored.add(e.getKey());
                        failures.add("(none above " + String.format(Locale.ROOT, "%.0f", best.get().offeredRate()) + "/s: the sweep's top)");
                    }
                }
                double medianRate = PeerSuite.median(rates);
                double medianP99 = p99s.isEmpty() ? Double.NaN : PeerSuite.median(p99s);
                medians.put(e.getKey(), new double[] {medianRate, medianP99});
                b.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s | %s | %s |%n", e.getKey(),
                        String.join(", ", rates.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList()), medianRate,
                        offered.isEmpty() ? "-" : PeerSuite.spread(offered, "%.0f"), p99s.isEmpty() ? "-" : PeerSuite.spread(p99s, "%.1f"),
                        cpu.isEmpty() ? "-" : PeerSuite.spread(cpu, "%.2f"), failures.isEmpty() ? "none" : String.join("; ", failures)));
            }
            double[] herald = medians.get("herald");
            if (herald != null) {
                for (var e : medians.entrySet()) {
                    if (!e.getKey().equals("herald")) {
                        double[] peer = e.getValue();
                        b.append(target(byServerAndRepetition(runs).get("herald"), e.getKey(), peer, bound));
                        b.append(String.format(Locale.ROOT, "Herald vs %s: sustainable deliveries/s x%.2f (target >= 3), "
                                + "p99 there x%.2f (> 1: Herald's shorter)%s%n", e.getKey(), herald[0] / peer[0], peer[1] / herald[1],
                                censored.contains("herald") ? "; Herald held the sweep's top rate in a repetition, so its figure is a lower bound" : ""));
                    }
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * The target against {@code peer}: Herald sustains 3x the peer's median sustainable deliveries/s at a
     * p99 no longer than the peer's at its own maximum. Per repetition, Herald's lowest sustained step at or above
     * that rate gives the p99; the line gives their median.
     */
    private String target(Map<Integer, List<LoadResult>> herald, String peer, double[] peerMedians, double bound) {
        double goal = 3 * peerMedians[0];
        List<Double> p99s = new ArrayList<>();
        for (List<LoadResult> steps : herald.values()) {
            steps.stream().filter(r -> why(r, bound) == null && r.windowDeliveredPerSecond() >= goal)
                    .min(Comparator.comparingDouble(LoadResult::offeredRate)).ifPresent(r -> p99s.add(r.p99Micros() / 1000.0));
        }
        if (goal <= 0) {
            return String.format(Locale.ROOT, "Target against %s: %s sustained no step, nothing to compare%n", peer, peer);
        }
        if (p99s.size() * 2 <= herald.size()) {
            return String.format(Locale.ROOT, "Target against %s: 3x = %.0f deliveries/s, sustained by Herald in %d of %d "
                    + "repetitions: NOT MET%n", peer, goal, p99s.size(), herald.size());
        }
        double p99 = PeerSuite.median(p99s);
        return String.format(Locale.ROOT, "Target against %s: 3x = %.0f deliveries/s, sustained by Herald in %d of %d repetitions, "
                + "p99 there %s ms (median) against %s's %.1f ms at its maximum: %s%n", peer, goal, p99s.size(), herald.size(),
                PeerSuite.spread(p99s, "%.1f"), peer, peerMedians[1], p99 <= peerMedians[1] ? "MET" : "NOT MET (p99)");
    }

    private static Map<String, Map<Integer, List<LoadResult>>> byServerAndRepetition(List<PeerSuite.Run> runs) {
        Map<String, Map<Integer, List<LoadResult>>> m = new LinkedHashMap<>();
        for (PeerSuite.Run run : runs) {
            m.computeIfAbsent(run.server(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(run.result().repetition(), k -> new ArrayList<>()).add(run.result());
        }
        return m;
    }
}
