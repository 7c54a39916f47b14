package io.herald.bench.load.stomp;

import io.herald.bench.load.ProcProbe;
import io.herald.bench.load.sse.ServerProcess;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Memory per idle STOMP connection, Herald against RabbitMQ Web-STOMP in one job ({@code stomp-idle}): for
 * each server, started fresh and pinned to the server CPU, {@code --connections} WebSockets each CONNECT and
 * SUBSCRIBE (with a receipt, {@code ack:auto}) to one topic and then stay idle. Weighed on the fresh process
 * and again with every connection subscribed: RSS ({@code /proc/<pid>/status} VmRSS; RabbitMQ: its
 * {@code beam.smp}), and for Herald the heap after a full GC ({@code jcmd}); the differences divided by the
 * count. The connections are {@link IdleStompSocket}s: blocking sockets with small buffers, so the load
 * generator holds them in little memory. Prints one JSON line per run (also appended to
 * {@code <work-dir>/stomp-idle-results.jsonl}), then the table and Herald's ratios. Not thread-safe.
 *
 * <pre>
 * taskset -c 1 java -Xmx1g -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator stomp-idle --connections 18000
 * </pre>
 */
public final class StompIdleSuite {

    /** One server's figures. */
    public record Result(String server, int connections, long rssFresh, long rssAfter, long heapBefore, long heapAfter,
                         int openFilesAfter, double load1) {

        long rssPerConnection() {
            return (rssAfter - rssFresh) / connections;
        }

        long heapPerConnection() {
            return heapBefore < 0 || heapAfter < 0 ? -1 : (heapAfter - heapBefore) / connections;
        }

        String toJson() {
            return String.format(Locale.ROOT, "{\"stompIdle\":\"%s\",\"connections\":%d,\"rssFresh\":%d,\"rssAfter\":%d,"
                            + "\"rssPerConnection\":%d,\"heapBefore\":%d,\"heapAfter\":%d,\"heapPerConnection\":%d,"
                            + "\"openFilesAfter\":%d,\"load1\":%.2f}", server, connections, rssFresh, rssAfter, rssPerConnection(),
                    heapBefore, heapAfter, heapPerConnection(), openFilesAfter, load1);
        }
    }

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("servers", "herald,rabbitmq");
        DEFAULTS.put("connections", "18000");
        DEFAULTS.put("repeat", "1");
        DEFAULTS.put("threads", "8");
        DEFAULTS.put("herald-jar", "server/target/herald-server.jar");
        DEFAULTS.put("work-dir", "bench/target/peer-bench");
        DEFAULTS.put("server-cpu", "0");
        DEFAULTS.put("jvm-flags", "-Xms1g -Xmx1g -XX:+UseG1GC");
        DEFAULTS.put("port", "19480");
        DEFAULTS.put("settle-ms", "3000");
    }

    private final Map<String, String> options;
    private final PrintStream out;

    private StompIdleSuite(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Parses {@code --name value} options and runs. */
    public static List<Result> main(List<String> args, PrintStream out) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || !DEFAULTS.containsKey(arg.substring(2)) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("bad option " + arg + " for stomp-idle; known (each with a value): --"
                        + String.join(", --", DEFAULTS.keySet()));
            }
            options.put(arg.substring(2), args.get(++i));
        }
        return new StompIdleSuite(options, out).run();
    }

    private List<Result> run() throws Exception {
        Path workDir = Path.of(options.get("work-dir"));
        Files.createDirectories(workDir);
        Path results = workDir.resolve("stomp-idle-results.jsonl");
        out.println("# stomp-idle " + options);
        List<Result> all = new ArrayList<>();
        for (int rep = 1; rep <= Integer.parseInt(options.get("repeat")); rep++) {
            for (String server : split(options.get("servers"))) {
                out.println("## repetition " + rep + ", " + server);
                out.flush();
                try (ServerProcess process = start(server, workDir)) {
                    Result result = measure(server, process);
                    all.add(result);
                    Files.writeString(results, result.toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    out.println(result.toJson());
                }
            }
        }
        out.println();
        out.print(summary(all));
        out.flush();
        return all;
    }

    private ServerProcess start(String server, Path workDir) throws Exception {
        int base = Integer.parseInt(options.get("port"));
        String cpu = options.get("server-cpu");
        return switch (server) {
            case "herald" -> ServerProcess.herald(Path.of(options.get("herald-jar")), base, cpu,
                    split(options.get("jvm-flags").replace(' ', ',')), workDir, List.of("--transports", "sse,stomp,bayeux"));
            case "rabbitmq" -> ServerProcess.rabbitmq(base + 10, cpu, workDir);
            default -> throw new IllegalArgumentException("unknown server '" + server + "'; known: herald, rabbitmq");
        };
    }

    private Result measure(String server, ServerProcess process) throws Exception {
        int connections = Integer.parseInt(options.get("connections"));
        long settle = Long.parseLong(options.get("settle-ms"));
        ProcProbe probe = new ProcProbe(process.servingPid());
        // The fresh process, once it finished starting: RSS rarely shrinks, so it is the baseline for RSS.
        Thread.sleep(settle);
        long rssFresh = probe.rssBytes();
        long heapBefore = process.isJvm() ? probe.heapAfterGcBytes() : -1;
        boolean herald = server.equals("herald");
        String path = herald ? "/stomp" : "/ws";
        String login = herald ? null : "guest";
        AtomicReferenceArray<IdleStompSocket> sockets = new AtomicReferenceArray<>(connections);
        int threads = Integer.parseInt(options.get("threads"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    for (int i = first; i < connections; i += threads) {
                        try {
                            sockets.set(i, IdleStompSocket.open("127.0.0.1", process.port(), path, "/topic/bench.idle", login, 60_000));
                        } catch (IOException e) {
                            throw new IllegalStateException(server + ": connection " + i + " of " + connections + " failed: "
                                    + e.getMessage() + "\n" + process.tail(), e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            out.printf(Locale.ROOT, "  %d connections subscribed in %.1f s%n", connections, (System.nanoTime() - started) / 1e9);
            Thread.sleep(settle);
            long heapAfter = process.isJvm() ? probe.heapAfterGcBytes() : -1;
            long rssAfter = probe.rssBytes();
            int openFiles = process.openFiles();
            if (openFiles < connections) {
                throw new IllegalStateException(server + " holds " + openFiles + " open files with " + connections
                        + " connections subscribed: some were closed");
            }
            return new Result(server, connections, rssFresh, rssAfter, heapBefore, heapAfter, openFiles, loadAverage());
        } finally {
            pool.shutdownNow();
            for (int i = 0; i < connections; i++) {
                IdleStompSocket s = sockets.get(i);
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** The table and Herald's ratios (> 1: Herald uses less). */
    static String summary(List<Result> results) {
        StringBuilder b = new StringBuilder("| server | connections | RSS fresh MiB | RSS after MiB | RSS KiB/connection | heap KiB/connection | load1 |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.1f | %s | %.2f |%n", r.server(), r.connections(),
                    r.rssFresh() / 1048576.0, r.rssAfter() / 1048576.0, r.rssPerConnection() / 1024.0,
                    r.heapPerConnection() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.heapPerConnection() / 1024.0), r.load1()));
        }
        List<Result> heralds = results.stream().filter(r -> r.server().equals("herald")).toList();
        List<Result> rabbits = results.stream().filter(r -> r.server().equals("rabbitmq")).toList();
        if (!heralds.isEmpty() && !rabbits.isEmpty()) {
            double heraldRss = median(heralds.stream().map(r -> (double) r.rssPerConnection()).toList());
            double heraldHeap = median(heralds.stream().map(r -> (double) r.heapPerConnection()).toList());
            double rabbitRss = median(rabbits.stream().map(r -> (double) r.rssPerConnection()).toList());
            b.append(String.format(Locale.ROOT, "%nRabbitMQ RSS per connection / Herald's: RSS x%.1f, heap after GC x%.1f (target: >= 8)%n",
                    rabbitRss / heraldRss, rabbitRss / heraldHeap));
        }
        return b.toString();
    }

    /** The 1-minute load average, -1 if it cannot be read. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static List<String> split(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
