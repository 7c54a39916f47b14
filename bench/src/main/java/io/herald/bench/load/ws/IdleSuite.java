package io.herald.bench.load.ws;

import io.herald.bench.load.ProcProbe;
import io.herald.bench.load.bayeux.IdleBayeuxSocket;
import io.herald.bench.load.stomp.IdleStompSocket;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Memory per idle subscribed connection, Herald against a peer in one job: STOMP over WebSocket against RabbitMQ
 * Web-STOMP ({@code stomp-idle}) or Bayeux over WebSocket against CometD 9 ({@code bayeux-idle}). For each server,
 * started fresh and pinned to the server CPU, {@code --connections} WebSockets each subscribe to one destination
 * and then stay idle (STOMP: CONNECT and SUBSCRIBE with a receipt, {@code ack:auto}; Bayeux: handshake, subscribe,
 * a connect held and renewed at each timeout, as a real client does). Weighed on the fresh process and again with
 * every connection subscribed: RSS ({@code /proc/<pid>/status} VmRSS; RabbitMQ: its {@code beam.smp}), and for a
 * JVM the heap after a full GC ({@code jcmd}); the differences divided by the count. The connections are
 * {@link IdleWebSocket}s: blocking sockets with small buffers, so the load generator holds them in little memory.
 * Prints one JSON line per run (also appended to {@code <work-dir>/<protocol>-idle-results.jsonl}), then the table
 * and the peer's memory per connection over Herald's. Not thread-safe.
 *
 * <pre>
 * taskset -c 1 java -Xmx1g -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator stomp-idle --connections 17500
 * taskset -c 1 java -Xmx1g -cp herald-benchmarks.jar io.herald.bench.load.LoadGenerator bayeux-idle --connections 17500
 * </pre>
 */
public final class IdleSuite {

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
            return String.format(Locale.ROOT, "{\"idle\":\"%s\",\"connections\":%d,\"rssFresh\":%d,\"rssAfter\":%d,"
                            + "\"rssPerConnection\":%d,\"heapBefore\":%d,\"heapAfter\":%d,\"heapPerConnection\":%d,"
                            + "\"openFilesAfter\":%d,\"load1\":%.2f}", server, connections, rssFresh, rssAfter, rssPerConnection(),
                    heapBefore, heapAfter, heapPerConnection(), openFilesAfter, load1);
        }
    }

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("protocol", "stomp");
        DEFAULTS.put("servers", "");
        DEFAULTS.put("connections", "18000");
        DEFAULTS.put("repeat", "1");
        DEFAULTS.put("threads", "8");
        DEFAULTS.put("herald-jar", "server/target/herald-server.jar");
        DEFAULTS.put("bench-jar", "bench/target/herald-benchmarks.jar");
        DEFAULTS.put("work-dir", "bench/target/peer-bench");
        DEFAULTS.put("server-cpu", "0");
        DEFAULTS.put("jvm-flags", "-Xms1g -Xmx1g -XX:+UseG1GC");
        DEFAULTS.put("port", "19480");
        DEFAULTS.put("settle-ms", "3000");
        // A second Herald build (e.g. before a change), run as server "herald-before" in the same job.
        DEFAULTS.put("herald-before-jar", "");
        // true: a class histogram (jcmd GC.class_histogram) of each JVM fresh and with every connection, in work-dir.
        DEFAULTS.put("histograms", "false");
        // Keeps the connections open this long after weighing, for a heap dump taken by hand.
        DEFAULTS.put("hold-ms", "0");
    }

    private final Map<String, String> options;
    private final PrintStream out;

    private IdleSuite(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Parses {@code --name value} options and runs {@code protocol} ({@code stomp} or {@code bayeux}). */
    public static List<Result> main(String protocol, List<String> args, PrintStream out) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
        options.put("protocol", protocol);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || !DEFAULTS.containsKey(arg.substring(2)) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("bad option " + arg + " for " + protocol + "-idle; known (each with a value): --"
                        + String.join(", --", DEFAULTS.keySet()));
            }
            options.put(arg.substring(2), args.get(++i));
        }
        if (!protocol.equals("stomp") && !protocol.equals("bayeux")) {
            throw new IllegalArgumentException("unknown protocol '" + protocol + "'; known: stomp, bayeux");
        }
        if (options.get("servers").isEmpty()) {
            options.put("servers", protocol.equals("stomp") ? "herald,rabbitmq" : "herald,cometd");
        }
        return new IdleSuite(options, out).run();
    }

    private List<Result> run() throws Exception {
        Path workDir = Path.of(options.get("work-dir"));
        Files.createDirectories(workDir);
        Path results = workDir.resolve(options.get("protocol") + "-idle-results.jsonl");
        out.println("# " + options.get("protocol") + "-idle " + options);
        List<Result> all = new ArrayList<>();
        for (int rep = 1; rep <= Integer.parseInt(options.get("repeat")); rep++) {
            for (String server : split(options.get("servers"))) {
                out.println("## repetition " + rep + ", " + server);
                out.flush();
                try (ServerProcess process = start(server, workDir)) {
                    Result result = measure(server, process, workDir.resolve(options.get("protocol") + "-idle-" + server + "-" + rep));
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
            case "herald-before" -> ServerProcess.herald(Path.of(options.get("herald-before-jar")), base + 30, cpu,
                    split(options.get("jvm-flags").replace(' ', ',')), workDir, List.of("--transports", "sse,stomp,bayeux"));
            case "rabbitmq" -> ServerProcess.rabbitmq(base + 10, cpu, workDir);
            case "cometd" -> ServerProcess.cometd(Path.of(options.get("bench-jar")), base + 20, cpu,
                    split(options.get("jvm-flags").replace(' ', ',')), workDir);
            default -> throw new IllegalArgumentException("unknown server '" + server + "'; known: herald, herald-before, rabbitmq, cometd");
        };
    }

    private Result measure(String server, ServerProcess process, Path histogramPrefix) throws Exception {
        int connections = Integer.parseInt(options.get("connections"));
        long settle = Long.parseLong(options.get("settle-ms"));
        ProcProbe probe = new ProcProbe(process.servingPid());
        // The fresh process, once it finished starting: RSS rarely shrinks, so it is the baseline for RSS.
        Thread.sleep(settle);
        long rssFresh = probe.rssBytes();
        long heapBefore = process.isJvm() ? probe.heapAfterGcBytes() : -1;
        histogram(process, histogramPrefix, "fresh");
        AtomicReferenceArray<AutoCloseable> sockets = new AtomicReferenceArray<>(connections);
        int threads = Integer.parseInt(options.get("threads"));
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        AtomicBoolean measuring = new AtomicBoolean(true);
        long started = System.nanoTime();
        try {
            if (options.get("protocol").equals("bayeux")) {
                pool.submit(() -> keepAlive(sockets, measuring));
            }
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    for (int i = first; i < connections; i += threads) {
                        try {
                            sockets.set(i, open(server, process.port()));
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
            histogram(process, histogramPrefix, connections + "-connections");
            int openFiles = process.openFiles();
            if (openFiles < connections) {
                throw new IllegalStateException(server + " holds " + openFiles + " open files with " + connections
                        + " connections subscribed: some were closed");
            }
            Result result = new Result(server, connections, rssFresh, rssAfter, heapBefore, heapAfter, openFiles, loadAverage());
            long hold = Long.parseLong(options.get("hold-ms"));
            if (hold > 0) {
                out.printf(Locale.ROOT, "  holding %d connections for %d ms; serving pid %d%n", connections, hold, process.servingPid());
                out.flush();
                Thread.sleep(hold);
            }
            return result;
        } finally {
            measuring.set(false);
            pool.shutdownNow();
            for (int i = 0; i < connections; i++) {
                AutoCloseable s = sockets.get(i);
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private AutoCloseable open(String server, int port) throws IOException {
        boolean herald = server.startsWith("herald");
        if (options.get("protocol").equals("stomp")) {
            return IdleStompSocket.open("127.0.0.1", port, herald ? "/stomp" : "/ws", "/topic/bench.idle", herald ? null : "guest", 60_000);
        }
        return IdleBayeuxSocket.open("127.0.0.1", port, herald ? "/bayeux" : "/cometd", "/bench/idle", 60_000);
    }

    /** Writes {@code jcmd <pid> GC.class_histogram} to {@code <prefix>-<label>.histo} when histograms are asked for. */
    private void histogram(ServerProcess process, Path prefix, String label) throws IOException, InterruptedException {
        if (!process.isJvm() || !Boolean.parseBoolean(options.get("histograms"))) {
            return;
        }
        Path file = Path.of(prefix + "-" + label + ".histo");
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(process.servingPid()), "GC.class_histogram")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd GC.class_histogram of " + process.name() + " failed; see " + file);
        }
        out.println("  class histogram: " + file);
    }

    /** Answers the held connects that the servers release at their timeout, so that no Bayeux client expires. */
    private static Void keepAlive(AtomicReferenceArray<AutoCloseable> sockets, AtomicBoolean measuring) throws Exception {
        while (measuring.get()) {
            for (int i = 0; i < sockets.length(); i++) {
                if (sockets.get(i) instanceof IdleBayeuxSocket s) {
                    s.keepAlive();
                }
            }
            Thread.sleep(200);
        }
        return null;
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
        List<Result> befores = results.stream().filter(r -> r.server().equals("herald-before")).toList();
        List<Result> peers = results.stream().filter(r -> !r.server().startsWith("herald")).toList();
        if (!heralds.isEmpty() && !befores.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%nherald-before heap after GC per connection / herald's: x%.2f, RSS x%.2f%n",
                    median(befores.stream().map(r -> (double) r.heapPerConnection()).toList())
                            / median(heralds.stream().map(r -> (double) r.heapPerConnection()).toList()),
                    median(befores.stream().map(r -> (double) r.rssPerConnection()).toList())
                            / median(heralds.stream().map(r -> (double) r.rssPerConnection()).toList())));
        }
        if (!heralds.isEmpty() && !peers.isEmpty()) {
            String peer = peers.get(0).server();
            double heraldRss = median(heralds.stream().map(r -> (double) r.rssPerConnection()).toList());
            double heraldHeap = median(heralds.stream().map(r -> (double) r.heapPerConnection()).toList());
            double peerRss = median(peers.stream().map(r -> (double) r.rssPerConnection()).toList());
            b.append(String.format(Locale.ROOT, "%n%s RSS per connection / Herald's: RSS x%.1f, over Herald's heap after GC x%.1f%n",
                    peer, peerRss / heraldRss, peerRss / heraldHeap));
            List<Double> peerHeaps = peers.stream().filter(r -> r.heapPerConnection() >= 0).map(r -> (double) r.heapPerConnection()).toList();
            if (!peerHeaps.isEmpty()) {
                b.append(String.format(Locale.ROOT, "%s heap after GC per connection / Herald's: x%.1f%n", peer, median(peerHeaps) / heraldHeap));
            }
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
