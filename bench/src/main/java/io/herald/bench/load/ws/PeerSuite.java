package io.herald.bench.load.ws;

import io.herald.bench.load.LoadOptions;
import io.herald.bench.load.LoadResult;
import io.herald.bench.load.LoadRun;
import io.herald.bench.load.ProcProbe;
import io.herald.bench.load.bayeux.BayeuxFanoutScenario;
import io.herald.bench.load.bayeux.CometdServer;
import io.herald.bench.load.sse.ServerProcess;
import io.herald.bench.load.stomp.StompFanoutScenario;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
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

/**
 * Herald against its protocol's peer, one run after another in one job (Herald, peer, Herald, peer, ...),
 * each server started fresh for each repetition and pinned to the server CPU, the same load client for
 * both: {@code stomp-suite} (Herald's {@code /stomp} against RabbitMQ Web-STOMP, a node of its own) and
 * {@code bayeux-suite} (Herald's {@code /bayeux} against a real CometD 9 server; {@code --servers
 * herald,herald-replies,cometd} adds Herald with {@code --bayeux-websocket-push false}, every delivery in a connect
 * reply, as the baseline of the push path; {@code herald-base} runs the server jar given by {@code --base-jar}, an
 * earlier build, for a before/after pair in one job). Each run is a fan-out:
 * {@code --subscribers} on one channel, {@code --rate} messages per second. Prints one JSON line per run
 * (also appended to {@code <work-dir>/<protocol>-results.jsonl}), then medians [min-max] per server and
 * Herald's ratios to the peer, oriented so that > 1 means Herald does better.
 *
 * <p>{@code --rooms R} (bayeux only, R > 1) runs the chat shape of CometD's benchmark instead of the fan-out:
 * the subscribers in R rooms, {@code --rate} messages per second into each room ({@link BayeuxFanoutScenario}).
 * {@code --rates r1,r2,...} sweeps instead of one rate: per repetition and server, one server process runs
 * the rates in ascending order (fresh clients for each) until {@code --sweep-misses} consecutive steps are not
 * sustained ({@link PeerSweep}; 2 by default, so that one step disturbed by other work does not end it),
 * and the summary gives each server's maximum sustainable deliveries/s, its p99 there, and Herald's ratio.
 *
 * <pre>
 * taskset -c 1 java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator stomp-suite --subscribers 1000 --rate 20
 * taskset -c 1 java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator bayeux-suite --ack true
 * </pre>
 * Not thread-safe.
 */
public final class PeerSuite {

    /** A finished run: the figures and the client's and the rest of the machine's CPU share. */
    public record Run(String server, LoadResult result, double clientCpuShare, double otherCpuShare) {
    }

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("servers", "");
        DEFAULTS.put("subscribers", "1000");
        DEFAULTS.put("rate", "20");
        // A sweep: offered rates in ascending order, each run until one is not sustained (PeerSweep); empty: --rate only.
        DEFAULTS.put("rates", "");
        // The p99 above which a sweep step is not sustained.
        DEFAULTS.put("p99-bound-ms", "1000");
        // Consecutive steps not sustained that end a sweep: more than 1 lets a server pass one disturbed step.
        DEFAULTS.put("sweep-misses", "2");
        // bayeux: more than 1 for the chat shape (rooms of subscribers / rooms members; --rate per room).
        DEFAULTS.put("rooms", "1");
        DEFAULTS.put("warmup", "5");
        DEFAULTS.put("duration", "20");
        DEFAULTS.put("drain", "10");
        DEFAULTS.put("repeat", "3");
        DEFAULTS.put("pad", "64");
        // stomp: auto or client-individual; bayeux: false or true (the acknowledgement extension).
        DEFAULTS.put("ack", "");
        DEFAULTS.put("herald-jar", "server/target/herald-server.jar");
        // The server jar (beside its lib/) that --servers herald-base runs: an earlier build, for before/after in one job.
        DEFAULTS.put("base-jar", "");
        DEFAULTS.put("bench-jar", "bench/target/herald-benchmarks.jar");
        DEFAULTS.put("work-dir", "bench/target/peer-bench");
        DEFAULTS.put("server-cpu", "0");
        DEFAULTS.put("jvm-flags", "-Xms1g -Xmx1g -XX:+UseG1GC");
        DEFAULTS.put("port", "19480");
        DEFAULTS.put("max-pending", "32");
        DEFAULTS.put("heap", "true");
    }

    private final String protocol;
    private final Map<String, String> options;
    private final PrintStream out;

    private PeerSuite(String protocol, Map<String, String> options, PrintStream out) {
        this.protocol = protocol;
        this.options = options;
        this.out = out;
    }

    /** {@code protocol} is {@code stomp} or {@code bayeux}; parses {@code --name value} options and runs. */
    public static List<Run> main(String protocol, List<String> args, PrintStream out) throws Exception {
        if (!protocol.equals("stomp") && !protocol.equals("bayeux")) {
            throw new IllegalArgumentException("unknown protocol '" + protocol + "'; known: stomp, bayeux");
        }
        Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
        options.put("servers", protocol.equals("stomp") ? "herald,rabbitmq" : "herald,cometd");
        options.put("ack", protocol.equals("stomp") ? "auto" : "false");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || !DEFAULTS.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option " + arg + " for " + protocol + "-suite; known: --"
                        + String.join(", --", DEFAULTS.keySet()));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            options.put(arg.substring(2), args.get(++i));
        }
        return new PeerSuite(protocol, options, out).run();
    }

    private List<Run> run() throws Exception {
        Path workDir = Path.of(options.get("work-dir"));
        Files.createDirectories(workDir);
        Path results = workDir.resolve(protocol + "-results.jsonl");
        List<String> servers = split(options.get("servers"));
        int repeat = Integer.parseInt(options.get("repeat"));
        out.println("# " + protocol + "-suite " + options);
        List<Run> runs = new ArrayList<>();
        List<Double> rates = split(options.get("rates")).stream().map(Double::parseDouble).sorted().toList();
        int subscribers = Integer.parseInt(options.get("subscribers"));
        PeerSweep sweep = new PeerSweep(subscribers, Double.parseDouble(options.get("p99-bound-ms")));
        for (int rep = 1; rep <= repeat; rep++) {
            for (String server : servers) {
                out.println("## repetition " + rep + ", " + server);
                out.flush();
                try (ServerProcess process = start(server, workDir)) {
                    int misses = 0;
                    for (double rate : rates.isEmpty() ? List.of(Double.parseDouble(options.get("rate"))) : rates) {
                        Run run = measure(server, process, rep, rate);
                        runs.add(run);
                        report(run, results);
                        if (!rates.isEmpty() && !sweep.sustained(run.result())) {
                            boolean ends = ++misses >= Integer.parseInt(options.get("sweep-misses"));
                            out.println("   not sustained at " + rate + "/s: " + sweep.why(run.result())
                                    + (ends ? "; sweep of " + server + " ends" : ""));
                            if (ends) {
                                break;
                            }
                        } else {
                            misses = 0;
                        }
                    }
                }
            }
        }
        out.println();
        out.print(rates.isEmpty() ? summary(runs) : sweep.summary(runs));
        out.flush();
        return runs;
    }

    private void report(Run run, Path results) throws IOException {
        String json = run.result().toJson();
        json = json.substring(0, json.length() - 1) + String.format(Locale.ROOT,
                ",\"server\":\"%s\",\"ack\":\"%s\",\"subscribers\":%s,\"rooms\":%s,\"clientCpuShare\":%.3f,\"otherCpuShare\":%.3f}",
                run.server(), options.get("ack"), options.get("subscribers"), options.get("rooms"), run.clientCpuShare(), run.otherCpuShare());
        Files.writeString(results, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        out.println(json);
        out.println(LoadResult.tableHeader());
        out.println(run.result().tableRow() + String.format(Locale.ROOT, "  window %.0f/s, client cpu %.2f, other cpu %.2f",
                run.result().windowDeliveredPerSecond(), run.clientCpuShare(), run.otherCpuShare()));
        out.flush();
    }

    private Run measure(String server, ServerProcess process, int rep, double rate) throws Exception {
        LoadOptions load = LoadOptions.parse("--rate", Double.toString(rate), "--warmup", options.get("warmup"),
                "--duration", options.get("duration"), "--drain", options.get("drain"),
                "--heap", Boolean.toString(Boolean.parseBoolean(options.get("heap")) && process.isJvm()));
        ProcProbe probe = new ProcProbe(process.servingPid());
        int subscribers = Integer.parseInt(options.get("subscribers"));
        int pad = Integer.parseInt(options.get("pad"));
        int maxPending = Integer.parseInt(options.get("max-pending"));
        int port = process.port();
        int rooms = Integer.parseInt(options.get("rooms"));
        String channel = rooms > 1 ? "/bench/chat" : "/bench/bayeux";
        if (rooms > 1 && !protocol.equals("bayeux")) {
            throw new IllegalArgumentException("--rooms is for bayeux-suite only");
        }
        WebSocketFanoutScenario scenario = switch (server) {
            case "herald", "herald-replies", "herald-base" -> protocol.equals("stomp")
                    ? new StompFanoutScenario(StompFanoutScenario.Target.herald("127.0.0.1", port, "/topic/bench.stomp"), subscribers,
                            options.get("ack"), pad, probe, load.warmupSends(), maxPending)
                    : new BayeuxFanoutScenario(server, URI.create("ws://127.0.0.1:" + port + "/bayeux"), channel, rooms,
                            subscribers, Boolean.parseBoolean(options.get("ack")), pad, probe, load.warmupSends(), maxPending);
            case "rabbitmq" -> new StompFanoutScenario(StompFanoutScenario.Target.rabbitmq("127.0.0.1", port, "/topic/bench.stomp"),
                    subscribers, options.get("ack"), pad, probe, load.warmupSends(), maxPending);
            case "cometd" -> new BayeuxFanoutScenario("cometd", URI.create("ws://127.0.0.1:" + port + CometdServer.PATH),
                    channel, rooms, subscribers, Boolean.parseBoolean(options.get("ack")), pad, probe, load.warmupSends(), maxPending);
            default -> throw new IllegalArgumentException("unknown server '" + server + "' for " + protocol);
        };
        LoadResult result = new LoadRun(scenario, load).run(rep);
        return new Run(server, result, scenario.clientCpuShare(), scenario.otherCpuShare());
    }

    private ServerProcess start(String server, Path workDir) throws Exception {
        int base = Integer.parseInt(options.get("port"));
        String cpu = options.get("server-cpu");
        // Separated by spaces only: a flag may hold commas (-XX:StartFlightRecording=filename=f.jfr,settings=profile).
        List<String> flags = Arrays.stream(options.get("jvm-flags").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        return switch (server) {
            // Default settings (memory store) with the three transports; the STOMP client asks prefetch-count 1000 of both servers.
            case "herald" -> ServerProcess.herald(Path.of(options.get("herald-jar")), base, cpu, flags, workDir,
                    List.of("--transports", "sse,stomp,bayeux"));
            // The same server delivering only in /meta/connect replies, as every Bayeux client got them before pushes.
            case "herald-replies" -> ServerProcess.herald(Path.of(options.get("herald-jar")), base, cpu, flags, workDir,
                    List.of("--transports", "sse,stomp,bayeux", "--bayeux-websocket-push", "false"));
            case "herald-base" -> ServerProcess.herald(Path.of(options.get("base-jar")), base, cpu, flags, workDir,
                    List.of("--transports", "sse,stomp,bayeux"));
            case "rabbitmq" -> ServerProcess.rabbitmq(base + 10, cpu, workDir);
            case "cometd" -> ServerProcess.cometd(Path.of(options.get("bench-jar")), base + 1, cpu, flags, workDir);
            default -> throw new IllegalArgumentException("unknown server '" + server + "'; known: herald, rabbitmq, cometd");
        };
    }

    /** Medians [min-max] per server and Herald's ratio to each other server (> 1: Herald does better). */
    public static String summary(List<Run> runs) {
        Map<String, List<LoadResult>> byServer = new LinkedHashMap<>();
        runs.forEach(r -> byServer.computeIfAbsent(r.server(), k -> new ArrayList<>()).add(r.result()));
        StringBuilder b = new StringBuilder("| server | runs | delivered/s | p50 ms | p99 ms | server CPU us/msg | lost | dup | reordered | errors |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (var e : byServer.entrySet()) {
            List<LoadResult> rs = e.getValue();
            List<Double> rate = rs.stream().map(LoadResult::deliveredPerSecond).toList();
            List<Double> p50 = rs.stream().map(r -> r.p50Micros() / 1000.0).toList();
            List<Double> p99 = rs.stream().map(r -> r.p99Micros() / 1000.0).toList();
            List<Double> cpu = rs.stream().map(LoadResult::cpuMicrosPerDelivery).toList();
            medians.put(e.getKey(), new double[] {median(rate), median(p99), median(cpu)});
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d | %d | %d | %d |%n", e.getKey(), rs.size(),
                    spread(rate, "%.0f"), spread(p50, "%.2f"), spread(p99, "%.2f"), spread(cpu, "%.2f"),
                    rs.stream().mapToLong(LoadResult::lost).sum(), rs.stream().mapToLong(LoadResult::duplicated).sum(),
                    rs.stream().mapToLong(r -> Math.max(0, r.reordered())).sum(), rs.stream().mapToLong(LoadResult::errors).sum()));
        }
        double[] herald = medians.get("herald");
        if (herald != null) {
            for (var e : medians.entrySet()) {
                if (e.getKey().equals("herald")) {
                    continue;
                }
                double[] peer = e.getValue();
                b.append(String.format(Locale.ROOT, "%nHerald vs %s (> 1: Herald better): delivered/s x%.2f, p99 x%.2f, CPU per delivery x%.2f%n",
                        e.getKey(), herald[0] / peer[0], peer[1] / herald[1], peer[2] / herald[2]));
            }
        }
        return b.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get((sorted.size() - 1) / 2);
    }

    static String spread(List<Double> values, String format) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", median(values), min, max);
    }

    private static List<String> split(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
