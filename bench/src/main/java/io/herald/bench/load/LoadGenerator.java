package io.herald.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The load generator's command line.
 *
 * <pre>
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator [run] --scenarios ceiling,publish \
 *      --url http://127.0.0.1:8080/api/publish --server-pid PID \
 *      [--ceiling-url http://127.0.0.1:8091/api/publish --ceiling-pid PID2] --rate 2000 --warmup 5 --duration 20 --repeat 3
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator serve-ceiling [--host 127.0.0.1] [--port 8091]
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator sse-suite --profile quick|full  (see bench/run-sse-bench.sh)
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator serve-sse-ceiling [--host 127.0.0.1] [--port 8092]
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator stomp-suite|bayeux-suite ...  (see PeerSuite)
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator stomp-idle --connections 18000  (see ws.IdleSuite)
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator bayeux-idle --connections 18000 (the same against CometD)
 * java -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator serve-cometd [--host 127.0.0.1] [--port 8093]
 * </pre>
 *
 * <p>{@code run} runs the scenarios one after another, {@code repeat} times over (alternating, as the
 * benchmarking method asks), prints one JSON line per run as it ends, then a table of every run, the
 * median and spread per scenario, and each scenario's ratio to {@code ceiling} when both ran.
 * {@code serve-ceiling} runs the raw ceiling server alone, to be pinned to its own CPU like the server.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String command = !rest.isEmpty() && !rest.get(0).startsWith("--") ? rest.remove(0) : "run";
        try {
            switch (command) {
                case "run" -> run(LoadOptions.parse(rest.toArray(String[]::new)), System.out);
                case "serve-ceiling" -> serveCeiling(rest);
                case "sse-suite" -> io.herald.bench.load.sse.SseSuite.main(rest, System.out);
                case "serve-sse-ceiling" -> io.herald.bench.load.sse.SseCeilingServer.main(rest.toArray(String[]::new));
                case "stomp-suite" -> io.herald.bench.load.ws.PeerSuite.main("stomp", rest, System.out);
                case "bayeux-suite" -> io.herald.bench.load.ws.PeerSuite.main("bayeux", rest, System.out);
                case "stomp-idle" -> io.herald.bench.load.ws.IdleSuite.main("stomp", rest, System.out);
                case "bayeux-idle" -> io.herald.bench.load.ws.IdleSuite.main("bayeux", rest, System.out);
                case "serve-cometd" -> io.herald.bench.load.bayeux.CometdServer.main(rest.toArray(String[]::new));
                default -> throw new IllegalArgumentException("unknown command '" + command
                        + "'; known: run, serve-ceiling, sse-suite, serve-sse-ceiling, stomp-suite, bayeux-suite, stomp-idle, bayeux-idle, serve-cometd");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs every repetition of every scenario, printing as it goes; returns the results in run order. */
    public static List<LoadResult> run(LoadOptions options, PrintStream out) throws Exception {
        for (String name : options.scenarios()) {
            if (!Scenarios.NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(", ", Scenarios.NAMES));
            }
        }
        List<LoadResult> results = new ArrayList<>();
        for (int rep = 1; rep <= options.repeat(); rep++) {
            for (String name : options.scenarios()) {
                LoadResult result = new LoadRun(Scenarios.create(name, options), options).run(rep);
                results.add(result);
                out.println(result.toJson());
                out.flush();
            }
        }
        printSummary(results, out);
        return results;
    }

    static void printSummary(List<LoadResult> results, PrintStream out) {
        out.println();
        out.println(LoadResult.tableHeader());
        results.forEach(r -> out.println(r.tableRow()));
        Map<String, List<LoadResult>> byScenario = new LinkedHashMap<>();
        results.forEach(r -> byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r));
        out.println();
        out.println("medians [min-max] over repetitions:");
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (var e : byScenario.entrySet()) {
            List<Double> rate = e.getValue().stream().map(LoadResult::deliveredPerSecond).toList();
            List<Double> p99 = e.getValue().stream().map(r -> r.p99Micros() / 1000.0).toList();
            List<Double> cpu = e.getValue().stream().map(LoadResult::cpuMicrosPerDelivery).toList();
            medians.put(e.getKey(), new double[] {LoadResult.median(rate), LoadResult.median(p99), LoadResult.median(cpu)});
            out.printf(Locale.ROOT, "  %-10s delivered/s %.0f [%.0f-%.0f]   p99 ms %.3f [%.3f-%.3f]   cpu us/msg %s%n",
                    e.getKey(), LoadResult.median(rate), min(rate), max(rate), LoadResult.median(p99), min(p99), max(p99),
                    cpu.stream().anyMatch(c -> c < 0) ? "n/a"
                            : String.format(Locale.ROOT, "%.2f [%.2f-%.2f]", LoadResult.median(cpu), min(cpu), max(cpu)));
        }
        double[] ceiling = medians.get("ceiling");
        if (ceiling == null) {
            return;
        }
        for (var e : medians.entrySet()) {
            if (e.getKey().equals("ceiling")) {
                continue;
            }
            double[] m = e.getValue();
            // Oriented so that > 1 means the scenario does better than the ceiling.
            double throughput = m[0] / ceiling[0];
            double latency = ceiling[1] / m[1];
            String cpu = m[2] > 0 && ceiling[2] > 0 ? String.format(Locale.ROOT, "%.3f", ceiling[2] / m[2]) : "null";
            out.printf(Locale.ROOT, "  %s vs ceiling (>1 is better): delivered/s x%.3f, p99 x%.3f, cpu/msg x%s%n",
                    e.getKey(), throughput, latency, cpu);
            out.printf(Locale.ROOT, "{\"ratio\":%s,\"to\":\"ceiling\",\"deliveredPerSecond\":%.4f,\"p99\":%.4f,\"cpuPerDelivery\":%s}%n",
                    LoadResult.quote(e.getKey()), throughput, latency, cpu);
        }
    }

    private static void serveCeiling(List<String> args) throws Exception {
        String host = "127.0.0.1";
        int port = 8091;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            switch (arg) {
                case "--host" -> host = args.get(++i);
                case "--port" -> {
                    String value = args.get(++i);
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("option --port must be a number, got '" + value + "'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " for serve-ceiling; known: --host, --port");
            }
        }
        CeilingServer server = new CeilingServer(host, port).start();
        System.out.println("ceiling listening on " + server.publishUri() + " (pid " + ProcessHandle.current().pid() + ")");
        server.join();
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
