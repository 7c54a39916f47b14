package io.herald.bench.load.sse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Gathers the SSE suite's figures per server over the repetitions and writes them as Markdown: the
 * machine, the medians with their min-max spread, and Herald's ratios to the ceiling and to Nchan,
 * oriented so that > 1 means Herald does better, beside each target of issue 4. Not thread-safe.
 */
final class SseReport {

    private static final double KIB = 1024;

    private final SseSuite.Profile profile;
    private final List<String> servers;
    private final double softirqFactor;
    private final Map<String, List<SseBench.Fanout>> fanouts = new LinkedHashMap<>();
    private final Map<String, List<RateSweep.Result>> sweeps = new LinkedHashMap<>();
    private final Map<String, List<IdleMemory.Result>> idles = new LinkedHashMap<>();
    private final Map<String, List<CatchUp.Result>> catchUps = new LinkedHashMap<>();
    private List<SchedulingJitter.Result> jitter = List.of();

    /**
     * @param softirqFactor how far above the run's softirq baseline a repetition's 1-s peak marks it as disturbed
     *     by the kernel's slow mode ({@link SoftirqBaseline}, > 1)
     */
    SseReport(SseSuite.Profile profile, List<String> servers, double softirqFactor) {
        this.profile = profile;
        this.servers = servers;
        this.softirqFactor = softirqFactor;
        // A factor that cannot work fails here, before the run, not when the report is written after it.
        SoftirqBaseline.of(List.of(), softirqFactor);
    }

    /** How quiet the CPUs were before the run ({@link SchedulingJitter}), for the report's head. */
    void jitter(List<SchedulingJitter.Result> results) {
        this.jitter = List.copyOf(results);
    }

    void fanout(String server, SseBench.Fanout f) {
        fanouts.computeIfAbsent(server, k -> new ArrayList<>()).add(f);
    }

    void sweep(String server, RateSweep.Result s) {
        sweeps.computeIfAbsent(server, k -> new ArrayList<>()).add(s);
    }

    void idle(String server, IdleMemory.Result r) {
        idles.computeIfAbsent(server, k -> new ArrayList<>()).add(r);
    }

    void catchUp(String server, CatchUp.Result r) {
        catchUps.computeIfAbsent(server, k -> new ArrayList<>()).add(r);
    }

    String markdown(String command) {
        StringBuilder md = new StringBuilder();
        md.append("Profile `").append(profile.name()).append("`, reproduce with `").append(command).append("`.\n\n");
        md.append(machine()).append('\n');
        if (!jitter.isEmpty()) {
            md.append("Scheduling jitter before the run (`SchedulingJitter`: a thread spinning on the clock; a gap is time "
                    + "something else held the CPU): ").append(String.join("; ", jitter.stream().map(SchedulingJitter.Result::describe).toList()))
                    .append(".\n");
        }
        md.append('\n');
        if (!fanouts.isEmpty()) {
            md.append(String.format(Locale.ROOT, "**Fan-out at a fixed rate**: %,d streams on one channel, %.0f msg/s published "
                            + "(%,.0f deliveries/s), %s%.0f s warm-up, %.0f s measured; median [min-max] over repetitions.%n%n",
                    profile.fanoutSubscribers(), profile.fanoutRate(), profile.fanoutRate() * profile.fanoutSubscribers(),
                    profile.primeMessages() > 0 ? String.format(Locale.ROOT, "each fresh server primed with %,d publishes to one "
                            + "stream on another channel, then ", profile.primeMessages()) : "",
                    profile.fanoutWarmup(), profile.fanoutDuration()));
            md.append("| server | delivered/s | p50 ms | p99 ms | p99.9 ms | max ms | server CPU µs/msg | server core µs/msg | lost | dup | reordered | heap after GC MiB | RSS MiB | client CPU | other CPU |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            SoftirqBaseline baseline = softirqBaseline();
            for (String s : servers) {
                List<SseBench.Fanout> runs = fanouts.get(s);
                if (runs == null) {
                    continue;
                }
                fanoutRow(md, s, runs);
                if (baseline.judged()) {
                    // The same medians without the repetitions the kernel's slow mode hit (see the softirq table below).
                    List<SseBench.Fanout> clean = clean(runs, baseline);
                    fanoutRow(md, s + ", clean only (" + clean.size() + " of " + runs.size() + ")", clean);
                }
            }
            md.append('\n');
            md.append(softirqTable(baseline));
        }
        if (!sweeps.isEmpty()) {
            RateSweep w = profile.sweep();
            md.append(String.format(Locale.ROOT, "**Maximum sustainable rate**: %,d streams; offered rate stepped x1.5 from %.0f msg/s "
                            + "then bisected; a step holds with >= 99.9%% delivered and p99 <= 100 ms (%.0f s warm-up, %.0f s measured).%n%n",
                    w.subscribers(), w.startRate(), w.warmup(), w.duration()));
            md.append("| server | max delivered/s | at msg/s | server CPU µs/msg there | client CPU there | other CPU there |\n|---|---|---|---|---|---|\n");
            for (String s : servers) {
                List<RateSweep.Result> runs = sweeps.get(s);
                if (runs == null) {
                    continue;
                }
                md.append("| ").append(s)
                        .append(" | ").append(spread(runs, RateSweep.Result::bestDeliveredPerSecond, "%,.0f"))
                        .append(" | ").append(spread(runs, r -> r.best() == null ? 0 : r.best().result().offeredRate(), "%.1f"))
                        .append(" | ").append(spread(runs, r -> r.best() == null ? -1 : r.best().result().cpuMicrosPerDelivery(), "%.2f"))
                        .append(" | ").append(spread(runs, r -> r.best() == null ? -1 : r.best().clientCpuShare(), "%.2f"))
                        .append(" | ").append(spread(runs, r -> r.best() == null ? -1 : r.best().otherCpuShare(), "%.2f"))
                        .append(" |\n");
            }
            md.append('\n');
        }
        if (!idles.isEmpty()) {
            md.append("**Idle connections**, measured first on the freshly started server: heap after a full GC (`jcmd GC.run`, "
                    + "`GC.heap_info`) with N idle streams minus with none, divided by N; RSS with N idle streams minus the fresh "
                    + "process's RSS, divided by N (for a JVM with a fixed 1 GiB heap RSS mostly says how much heap was touched).\n\n");
            md.append("| server | idle streams | heap KiB/connection | RSS KiB/connection |\n|---|---|---|---|\n");
            for (String s : servers) {
                List<IdleMemory.Result> runs = idles.get(s);
                if (runs == null) {
                    continue;
                }
                for (int count : profile.idleCounts()) {
                    List<IdleMemory.Result> at = runs.stream().filter(r -> r.connections() == count).toList();
                    md.append("| ").append(s).append(" | ").append(String.format(Locale.ROOT, "%,d", count))
                            .append(" | ").append(at.get(0).heapPerConnection() < 0 ? "n/a (not a JVM)"
                                    : spread(at, r -> r.heapPerConnection() / KIB, "%.2f"))
                            .append(" | ").append(spread(at, r -> r.rssPerConnection() / KIB, "%.2f")).append(" |\n");
                }
            }
            md.append('\n');
        }
        if (!catchUps.isEmpty()) {
            CatchUp c = profile.catchUp();
            md.append(String.format(Locale.ROOT, "**Catch-up**: %,d clients get one message, disconnect, %d messages are published, "
                    + "all reconnect at once with `Last-Event-ID`; time until every client has its %d.%n%n", c.clients(), c.missed(), c.missed()));
            md.append("| server | all caught up, s | per client p50 ms | per client p99 ms | clients exact | wrong events |\n|---|---|---|---|---|---|\n");
            for (String s : servers) {
                List<CatchUp.Result> runs = catchUps.get(s);
                if (runs == null) {
                    continue;
                }
                md.append("| ").append(s)
                        .append(" | ").append(spread(runs, CatchUp.Result::seconds, "%.3f"))
                        .append(" | ").append(spread(runs, r -> r.p50Micros() / 1000.0, "%.1f"))
                        .append(" | ").append(spread(runs, r -> r.p99Micros() / 1000.0, "%.1f"))
                        .append(" | ").append(runs.stream().mapToInt(CatchUp.Result::exact).min().orElse(0)).append(" of ").append(c.clients())
                        .append(" (worst run) | ").append(runs.stream().mapToLong(CatchUp.Result::wrong).sum()).append(" |\n");
            }
            md.append('\n');
        }
        md.append(targets());
        return md.toString();
    }

    private static void fanoutRow(StringBuilder md, String label, List<SseBench.Fanout> runs) {
        if (runs.isEmpty()) {
            md.append("| ").append(label).append(" |").append(" n/a |".repeat(14)).append('\n');
            return;
        }
        md.append("| ").append(label)
                .append(" | ").append(spread(runs, f -> f.result().deliveredPerSecond(), "%,.0f"))
                .append(" | ").append(spread(runs, f -> f.result().p50Micros() / 1000.0, "%.2f"))
                .append(" | ").append(spread(runs, f -> f.result().p99Micros() / 1000.0, "%.2f"))
                .append(" | ").append(spread(runs, f -> f.result().p999Micros() / 1000.0, "%.2f"))
                .append(" | ").append(spread(runs, f -> f.result().maxMicros() / 1000.0, "%.1f"))
                .append(" | ").append(spread(runs, f -> f.result().cpuMicrosPerDelivery(), "%.2f"))
                .append(" | ").append(spread(runs, f -> f.result().coreMicrosPerDelivery(), "%.2f"))
                .append(" | ").append(runs.stream().mapToLong(f -> f.result().lost()).sum())
                .append(" | ").append(runs.stream().mapToLong(f -> f.result().duplicated()).sum())
                .append(" | ").append(runs.stream().mapToLong(f -> Math.max(0, f.result().reordered())).sum())
                .append(" | ").append(spread(runs, f -> f.result().heapAfterGcBytes() / KIB / KIB, "%.1f"))
                .append(" | ").append(spread(runs, f -> f.result().rssBytes() / KIB / KIB, "%.0f"))
                .append(" | ").append(spread(runs, SseBench.Fanout::clientCpuShare, "%.2f"))
                .append(" | ").append(spread(runs, SseBench.Fanout::otherCpuShare, "%.2f"))
                .append(" |\n");
    }

    /** The run's softirq baseline over all fixed-rate fan-out repetitions of all servers (not the sweep's steps). */
    private SoftirqBaseline softirqBaseline() {
        return SoftirqBaseline.of(fanouts.values().stream().flatMap(List::stream).map(SseBench.Fanout::softirq).toList(),
                softirqFactor);
    }

    /**
     * The repetitions known to be clean: their softirq time was read and no second of the measured window reached
     * the baseline's threshold. A repetition whose softirq time was not read is not known to be clean and is left out.
     */
    static List<SseBench.Fanout> clean(List<SseBench.Fanout> runs, SoftirqBaseline baseline) {
        return runs.stream().filter(f -> baseline.clean(f.softirq())).toList();
    }

    /** Each fan-out repetition's softirq figures, one row per server, the disturbed ones marked; empty when none was read. */
    private String softirqTable(SoftirqBaseline baseline) {
        List<SseBench.Fanout> all = fanouts.values().stream().flatMap(List::stream).toList();
        SoftirqSampler.Figures known = all.stream().map(SseBench.Fanout::softirq).filter(SoftirqSampler.Figures::known)
                .findFirst().orElse(null);
        if (known == null) {
            return "";
        }
        int repetitions = all.stream().mapToInt(f -> f.result().repetition()).max().orElse(0);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "**Kernel softirq time on CPU %d** (the servers' CPU) per "
                + "fan-out repetition, in ticks/s (USER_HZ) from its `/proc/stat` line, sampled every second of the measured window: "
                + "the window's rate and its highest 1-s rate. ", known.cpu()));
        if (baseline.judged()) {
            md.append(String.format(Locale.ROOT, "The run's baseline, the median window rate of its %d repetitions (all servers), "
                    + "is **%.1f ticks/s**; a repetition with a 1-s peak >= %.1f x baseline = **%.1f** is disturbed by the kernel's "
                    + "slow mode (`--softirq-hot-factor`) and left out of the \"clean only\" rows.%n%n",
                    baseline.windows(), baseline.perSecond(), baseline.factor(), baseline.threshold()));
        } else {
            md.append(String.format(Locale.ROOT, "The run's baseline, the median window rate of its %d repetitions, is **%.1f "
                    + "ticks/s**: below %.0f, where one tick more in a second is a large share of the level, so no repetition is "
                    + "judged and there are no \"clean only\" rows.%n%n",
                    baseline.windows(), baseline.perSecond(), SoftirqBaseline.MIN_JUDGED_PER_SECOND));
        }
        md.append("| server |");
        for (int rep = 1; rep <= repetitions; rep++) {
            md.append(" rep ").append(rep).append(" |");
        }
        md.append("\n|---|").append("---|".repeat(repetitions)).append('\n');
        for (String s : servers) {
            List<SseBench.Fanout> runs = fanouts.get(s);
            if (runs == null) {
                continue;
            }
            md.append("| ").append(s).append(" |");
            for (int rep = 1; rep <= repetitions; rep++) {
                final int r = rep;
                md.append(' ').append(runs.stream().filter(f -> f.result().repetition() == r).findFirst()
                        .map(f -> f.softirq().describe() + (baseline.disturbed(f.softirq()) ? " (disturbed)" : ""))
                        .orElse("")).append(" |");
            }
            md.append('\n');
        }
        return md.append('\n').toString();
    }

    private String targets() {
        StringBuilder md = new StringBuilder("**Herald against the targets** (ratios of medians, > 1 means Herald does better):\n\n");
        md.append("| figure | ratio | target | met |\n|---|---|---|---|\n");
        Double herald = median(sweeps.get("herald"), RateSweep.Result::bestDeliveredPerSecond);
        ratioRow(md, "max sustainable delivered/s, Herald / ceiling", herald, median(sweeps.get("ceiling"), RateSweep.Result::bestDeliveredPerSecond), 0.8);
        ratioRow(md, "max sustainable delivered/s, Herald / Nchan", herald, median(sweeps.get("nchan"), RateSweep.Result::bestDeliveredPerSecond), 1.0);
        Double heraldCpu = median(fanouts.get("herald"), f -> f.result().cpuMicrosPerDelivery());
        ratioRow(md, "server CPU per message at the fixed rate, ceiling / Herald", median(fanouts.get("ceiling"), f -> f.result().cpuMicrosPerDelivery()), heraldCpu, Double.NaN);
        ratioRow(md, "server CPU per message at the fixed rate, Nchan / Herald", median(fanouts.get("nchan"), f -> f.result().cpuMicrosPerDelivery()), heraldCpu, Double.NaN);
        // Issue 14's measure: the busy time of the server's core, the kernel's share there included.
        Double heraldCore = median(fanouts.get("herald"), f -> f.result().coreMicrosPerDelivery());
        ratioRow(md, "server core busy per message at the fixed rate, Nchan / Herald", median(fanouts.get("nchan"), f -> f.result().coreMicrosPerDelivery()), heraldCore, 1.0);
        Double heraldCleanCore = median(cleanOf("herald"), f -> f.result().coreMicrosPerDelivery());
        ratioRow(md, "same, clean repetitions only (no 1-s softirq peak >= the baseline's threshold)", median(cleanOf("nchan"),
                f -> f.result().coreMicrosPerDelivery()), heraldCleanCore, Double.NaN);
        Double heraldP99 = median(fanouts.get("herald"), f -> f.result().p99Micros());
        ratioRow(md, "p99 latency at the fixed rate, ceiling / Herald", median(fanouts.get("ceiling"), f -> f.result().p99Micros()), heraldP99, Double.NaN);
        ratioRow(md, "p99 latency at the fixed rate, Nchan / Herald", median(fanouts.get("nchan"), f -> f.result().p99Micros()), heraldP99, 1.0);
        ratioRow(md, "same, clean repetitions only", median(cleanOf("nchan"), f -> f.result().p99Micros()),
                median(cleanOf("herald"), f -> f.result().p99Micros()), Double.NaN);
        if (fanouts.containsKey("herald-base")) {
            // The same figures for the other Herald build of the run (before/after comparisons).
            ratioRow(md, "server core busy per message at the fixed rate, Nchan / herald-base", median(fanouts.get("nchan"),
                    f -> f.result().coreMicrosPerDelivery()), median(fanouts.get("herald-base"), f -> f.result().coreMicrosPerDelivery()), 1.0);
            ratioRow(md, "p99 latency at the fixed rate, Nchan / herald-base", median(fanouts.get("nchan"), f -> f.result().p99Micros()),
                    median(fanouts.get("herald-base"), f -> f.result().p99Micros()), 1.0);
        }
        List<IdleMemory.Result> heraldIdle = idles.get("herald");
        if (heraldIdle != null) {
            for (int count : profile.idleCounts()) {
                Double perConnection = median(heraldIdle.stream().filter(r -> r.connections() == count).toList(), r -> r.heapPerConnection() / KIB);
                if (perConnection != null) {
                    md.append(String.format(Locale.ROOT, "| heap per idle connection at %,d, 10 KiB / Herald's %.2f KiB | %.2f | >= 1.0 | %s |%n",
                            count, perConnection, 10 / perConnection, 10 / perConnection >= 1 ? "yes" : "NO"));
                }
            }
        }
        ratioRow(md, "catch-up time, Nchan / Herald", median(catchUps.get("nchan"), CatchUp.Result::seconds),
                median(catchUps.get("herald"), CatchUp.Result::seconds), 1.0);
        return md.toString();
    }

    /** A server's clean repetitions; null (no ratio row) when it has none or the run's level is too low to judge. */
    private List<SseBench.Fanout> cleanOf(String server) {
        List<SseBench.Fanout> runs = fanouts.get(server);
        SoftirqBaseline baseline = softirqBaseline();
        return runs == null || !baseline.judged() ? null : clean(runs, baseline);
    }

    private static void ratioRow(StringBuilder md, String figure, Double numerator, Double denominator, double target) {
        if (numerator == null || denominator == null || denominator <= 0 || numerator < 0) {
            return;
        }
        double ratio = numerator / denominator;
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %s | %s |%n", figure, ratio,
                Double.isNaN(target) ? "(context)" : String.format(Locale.ROOT, ">= %.1f", target),
                Double.isNaN(target) ? "" : ratio >= target ? "yes" : "NO"));
    }

    private static <T> Double median(List<T> runs, ToDoubleFunction<T> figure) {
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private static <T> String spread(List<T> runs, ToDoubleFunction<T> figure, String format) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        if (values.length == 0 || values[0] < 0) {
            return "n/a";
        }
        String median = String.format(Locale.ROOT, format, median(runs, figure));
        if (values.length == 1) {
            return median;
        }
        return median + " [" + String.format(Locale.ROOT, format, values[0]) + "-" + String.format(Locale.ROOT, format, values[values.length - 1]) + "]";
    }

    /** The machine readings the benchmarking method asks for. */
    static String machine() {
        String cpu = "unknown";
        String memory = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
            memory = Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0)).orElse(memory);
        } catch (IOException | RuntimeException e) {
            // The readings are informative; a machine without /proc still gets its report.
        }
        return String.format(Locale.ROOT, "Machine: %d CPUs (nproc), %s, %s RAM; Java %s (%s); %s; servers pinned with taskset "
                        + "to CPU 0, the load generator to CPU 1.%n",
                Runtime.getRuntime().availableProcessors() > 0 ? nproc() : 0, cpu, memory, System.getProperty("java.version"),
                System.getProperty("java.vm.name"), ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    }

    private static int nproc() {
        // availableProcessors() sees only the CPUs this JVM is pinned to; nproc of the machine is what counts here.
        try {
            return (int) Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
