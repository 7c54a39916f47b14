package io.herald.bench.load.sse;

import io.herald.bench.load.ProcProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole SSE comparison of issue 4 in one job: for each repetition, each server in turn (Herald, the
 * raw Jetty ceiling, Nchan; alternating, as the benchmarking method asks, the order turned by one each repetition) is started fresh on the server
 * CPU, then measured: {@code sse-fanout} at a fixed rate every server sustains (latency, CPU per message),
 * the maximum sustainable rate ({@link RateSweep}), memory per idle connection ({@link IdleMemory}) and
 * catch-up replay after a disconnection ({@link CatchUp}; not for the ceiling, which keeps no history).
 * Every figure goes to a JSON-lines file as it is measured; at the end {@link SseReport} writes the
 * medians, spreads and ratios as Markdown.
 *
 * <pre>
 * taskset -c 1 java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator sse-suite --profile full
 * </pre>
 * Not thread-safe.
 */
public final class SseSuite {

    /** What a profile measures. */
    record Profile(String name, int repeat, int fanoutSubscribers, double fanoutRate, double fanoutWarmup,
                   double fanoutDuration, int primeMessages, RateSweep sweep, List<Integer> idleCounts, CatchUp catchUp) {

        static Profile named(String name) {
            return switch (name) {
                case "quick" -> new Profile("quick", 1, 200, 20, 1, 3, 500, new RateSweep(200, 400, 1, 2, 4), List.of(1000),
                        new CatchUp(100, 50));
                // The sweep runs with 1,000 streams: with 10,000 even Nchan needs ~100 ms to write one message to
                // all of them, so the p99 <= 100 ms bar would measure fan-out time, not sustainable rate.
                // The fixed-rate fan-out warms up for 30 s: at 5 msg/s the publish path's methods reach the JIT's
                // thresholds only after tens of seconds, and with a 5 s warm-up their compilations still ran inside
                // the measured window (perf: 14-17 ms of compiler CPU a second on the servers' CPU, in bursts that
                // lengthened fan-out walks; issue 14, docs/benchmarks.md "compiler threads that wait").
                // Code that runs once per publish gets there only minutes after start at these rates (HTTP request
                // parsing: 70 publishes a second reach the last tier's 5,000 calls after 70 s): each fresh server
                // first takes 20,000 publishes on a channel of its own (PublishPriming).
                case "full" -> new Profile("full", 3, 10_000, 5, 30, 20, 20_000, new RateSweep(1000, 30, 2, 6, 10),
                        List.of(2000, 10_000, 18_000), new CatchUp(1000, 50));
                default -> throw new IllegalArgumentException("unknown profile '" + name + "'; known: quick, full");
            };
        }

        /**
         * This profile with the fan-out (and sweep) streams, the fixed rate, the warm-up or the measured seconds
         * overridden where given.
         */
        Profile with(String subscribers, String rate, String warmup, String duration, String prime) {
            return new Profile(name, repeat, subscribers.isEmpty() ? fanoutSubscribers : Integer.parseInt(subscribers),
                    rate.isEmpty() ? fanoutRate : Double.parseDouble(rate),
                    warmup.isEmpty() ? fanoutWarmup : Double.parseDouble(warmup),
                    duration.isEmpty() ? fanoutDuration : Double.parseDouble(duration),
                    prime.isEmpty() ? primeMessages : Integer.parseInt(prime), sweep, idleCounts, catchUp);
        }
    }

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("profile", "quick");
        DEFAULTS.put("servers", "herald,ceiling,nchan");
        DEFAULTS.put("parts", "fanout,sweep,idle,catchup");
        DEFAULTS.put("repeat", "");
        DEFAULTS.put("herald-jar", "server/target/herald-server.jar");
        // A second Herald build measured as server "herald-base" in the same run (before/after, alternating).
        DEFAULTS.put("base-jar", "");
        DEFAULTS.put("bench-jar", "bench/target/herald-benchmarks.jar");
        DEFAULTS.put("work-dir", "bench/target/sse-bench");
        DEFAULTS.put("server-cpu", "0");
        DEFAULTS.put("jvm-flags", "-Xms1g -Xmx1g -XX:+UseG1GC");
        DEFAULTS.put("port", "19380");
        DEFAULTS.put("pad", "64");
        DEFAULTS.put("io-threads", "1");
        // Below Jetty's default accept backlog (50): more connects in flight overflow it and cost a 1 s SYN retry.
        DEFAULTS.put("max-pending", "32");
        DEFAULTS.put("bind-addresses", "16");
        // Overrides of the profile's fixed-rate fan-out (the sweep keeps the profile's settings).
        DEFAULTS.put("subscribers", "");
        DEFAULTS.put("rate", "");
        DEFAULTS.put("warmup", "");
        DEFAULTS.put("duration", "");
        // Publishes each fresh server takes on a channel of its own before the fan-out and the sweep (0: none).
        DEFAULTS.put("prime", "");
        // How far above the run's softirq baseline (the median window rate of all its fan-outs, SoftirqBaseline) a
        // repetition's highest 1-s rate on the server CPU marks it as disturbed by the kernel's slow mode. Clean
        // windows peak up to ~1.4-1.5x their average (full profile, 2026-12-05 13:36-13:47 UTC: 13-17 ticks/s, 1-s
        // peaks 17-23, no episode); an episode roughly doubles the level (docs/benchmarks.md, "the slow mode read per
        // thread": 16 against 38 ticks/s for Herald, 19 against 44 for Nchan). 1.6 sits between, above the clean
        // peaks with a little room, below the episodes.
        DEFAULTS.put("softirq-hot-factor", "1.6");
        // Seconds of SchedulingJitter on the server CPU and the load generator's before the run (0: none).
        DEFAULTS.put("jitter-seconds", "5");
    }

    private final Map<String, String> options;
    private final Profile profile;
    private final PrintStream out;
    private final Path workDir;
    private final Path results;

    private SseSuite(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.profile = Profile.named(options.get("profile")).with(options.get("subscribers"), options.get("rate"),
                options.get("warmup"), options.get("duration"), options.get("prime"));
        this.out = out;
        this.workDir = Path.of(options.get("work-dir"));
        this.results = workDir.resolve("sse-" + profile.name() + "-results.jsonl");
    }

    /** Parses {@code --name value} options and runs the suite, printing progress and the report to {@code out}. */
    public static void main(List<String> args, PrintStream out) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || !DEFAULTS.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option " + arg + " for sse-suite; known: --"
                        + String.join(", --", DEFAULTS.keySet()));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            options.put(arg.substring(2), args.get(++i));
        }
        new SseSuite(options, out).run();
    }

    private void run() throws Exception {
        Files.createDirectories(workDir);
        Files.deleteIfExists(results);
        List<String> servers = split(options.get("servers"));
        List<String> parts = split(options.get("parts"));
        int repeat = options.get("repeat").isEmpty() ? profile.repeat() : Integer.parseInt(options.get("repeat"));
        SseReport report = new SseReport(profile, servers, Double.parseDouble(options.get("softirq-hot-factor")));
        out.println("# sse-suite, profile " + profile.name() + ": " + profile);
        out.println("# results as JSON lines in " + results);
        double jitterSeconds = Double.parseDouble(options.get("jitter-seconds"));
        if (jitterSeconds > 0 && serverCore() >= 0) {
            report.jitter(jitter(jitterSeconds));
        }
        for (int rep = 1; rep <= repeat; rep++) {
            // The order turns by one each repetition: a server that always ran second would always inherit the first
            // one's aftermath (its closed connections' TIME_WAIT entries, a warmer or colder cache).
            for (String server : rotated(servers, rep - 1)) {
                out.println("## repetition " + rep + ", " + server);
                out.flush();
                try (ServerProcess process = start(server)) {
                    measure(rep, server, process, parts, report);
                }
            }
        }
        String markdown = report.markdown(String.join(" ", commandLine()));
        Path summary = workDir.resolve("sse-" + profile.name() + "-summary.md");
        Files.writeString(summary, markdown, StandardCharsets.UTF_8);
        out.println();
        out.println(markdown);
        out.println("# summary written to " + summary);
    }

    private void measure(int rep, String server, ServerProcess process, List<String> parts, SseReport report) throws Exception {
        SseTarget target = target(server);
        int pad = Integer.parseInt(options.get("pad"));
        List<InetAddress> bind = SseStreams.loopbackAliases(Integer.parseInt(options.get("bind-addresses")));
        SseBench bench = new SseBench(target, new ProcProbe(process.servingPid(), serverCore()), () -> {
            try {
                return new HttpSsePublisher(target, pad);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start a publisher to " + target.publishUri(), e);
            }
        }, process, bind, Integer.parseInt(options.get("io-threads")), Integer.parseInt(options.get("max-pending")), pad,
                serverCore());
        // Idle memory first, on the fresh process: RSS is compared with the process as it started.
        long freshRss = bench.probe().rssBytes();
        if (parts.contains("idle")) {
            for (int count : profile.idleCounts()) {
                IdleMemory.Result idle = IdleMemory.measure(bench, count, freshRss);
                record("idle", idle.toJson());
                out.println("  " + idle.toJson());
                report.idle(server, idle);
            }
        }
        if ((parts.contains("fanout") || parts.contains("sweep")) && profile.primeMessages() > 0) {
            PublishPriming.Result primed = PublishPriming.run(bench, profile.primeMessages());
            record("prime", primed.toJson());
            out.println("  " + primed.toJson());
        }
        if (parts.contains("fanout")) {
            SseBench.Fanout fanout = bench.fanout(profile.fanoutSubscribers(), profile.fanoutRate(), profile.fanoutWarmup(),
                    profile.fanoutDuration(), 5, true, rep);
            record("fanout", fanout.toJson());
            out.println(fanout.result().tableRow() + String.format(Locale.ROOT, "  client cpu %.2f, other cpu %.2f, softirq %s",
                    fanout.clientCpuShare(), fanout.otherCpuShare(), fanout.softirq().describe()));
            report.fanout(server, fanout);
        }
        if (parts.contains("sweep")) {
            RateSweep.Result sweep = profile.sweep().run(bench, rep, out);
            for (SseBench.Fanout step : sweep.steps()) {
                record("sweep", step.toJson());
            }
            out.println("  max sustainable " + server + ": " + (sweep.best() == null ? "none held"
                    : String.format("%.0f delivered/s at %.1f msg/s", sweep.bestDeliveredPerSecond(), sweep.best().result().offeredRate())));
            report.sweep(server, sweep);
        }
        if (parts.contains("catchup") && !server.equals("ceiling")) {
            CatchUp.Result catchUp = profile.catchUp().run(bench);
            record("catchup", catchUp.toJson());
            out.println("  " + catchUp.toJson());
            report.catchUp(server, catchUp);
        }
        out.flush();
    }

    /** How quiet the server CPU and this process's CPU are, measured at once (each with its own spinning thread). */
    private List<SchedulingJitter.Result> jitter(double seconds) throws Exception {
        CompletableFuture<SchedulingJitter.Result> server = CompletableFuture.supplyAsync(() -> {
            try {
                return SchedulingJitter.onCpu(serverCore(), seconds);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SchedulingJitter.Result own = SchedulingJitter.measureHere(-1, seconds);
        List<SchedulingJitter.Result> results = List.of(server.get(), own);
        for (SchedulingJitter.Result result : results) {
            record("jitter", result.toJson());
            out.println("  jitter, " + result.describe());
        }
        return results;
    }

    /** The one CPU the servers are pinned to, or -1 when {@code --server-cpu} names several. */
    private int serverCore() {
        String cpu = options.get("server-cpu").trim();
        return cpu.matches("\\d+") ? Integer.parseInt(cpu) : -1;
    }

    private ServerProcess start(String server) throws IOException {
        int port = port(server);
        String cpu = options.get("server-cpu");
        // Flags are separated by spaces only: one may hold commas (-XX:StartFlightRecording=filename=f.jfr,settings=profile).
        List<String> flags = Arrays.stream(options.get("jvm-flags").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        return switch (server) {
            case "herald" -> ServerProcess.herald(Path.of(options.get("herald-jar")), port, cpu, flags, workDir);
            case "herald-base" -> ServerProcess.herald(Path.of(options.get("base-jar")), port, cpu, flags, workDir);
            case "ceiling" -> ServerProcess.ceiling(Path.of(options.get("bench-jar")), port, cpu, flags, workDir);
            case "nchan" -> ServerProcess.nchan(port, cpu, workDir);
            default -> throw new IllegalArgumentException("unknown server '" + server + "'; known: herald, herald-base, ceiling, nchan");
        };
    }

    private SseTarget target(String server) {
        int port = port(server);
        return switch (server) {
            case "herald", "herald-base" -> SseTarget.herald("127.0.0.1", port, "/bench/sse");
            case "ceiling" -> SseTarget.ceiling("127.0.0.1", port);
            default -> SseTarget.nchan("127.0.0.1", port, "/bench/sse");
        };
    }

    private int port(String server) {
        int base = Integer.parseInt(options.get("port"));
        return base + switch (server) {
            case "herald" -> 0;
            case "ceiling" -> 1;
            case "herald-base" -> 3;
            default -> 2;
        };
    }

    private void record(String kind, String json) throws IOException {
        Files.writeString(results, "{\"kind\":\"" + kind + "\"," + json.substring(1) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<String> commandLine() {
        List<String> line = new ArrayList<>(List.of("bench/run-sse-bench.sh", profile.name()));
        for (var e : options.entrySet()) {
            if (!e.getKey().equals("profile") && !e.getValue().equals(DEFAULTS.get(e.getKey()))) {
                line.add("--" + e.getKey());
                line.add(e.getValue().contains(" ") ? "'" + e.getValue() + "'" : e.getValue());
            }
        }
        return line;
    }

    private static List<String> rotated(List<String> servers, int by) {
        List<String> order = new ArrayList<>(servers);
        java.util.Collections.rotate(order, -(by % Math.max(1, order.size())));
        return order;
    }

    private static List<String> split(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
