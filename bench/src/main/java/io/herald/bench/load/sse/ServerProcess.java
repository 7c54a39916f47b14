package io.herald.bench.load.sse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server under test in its own process, pinned to one CPU with {@code taskset}: Herald's packaged server,
 * the raw SSE ceiling ({@code LoadGenerator serve-sse-ceiling}) or nginx with Nchan. Its output goes to a
 * log file; {@link #close()} stops it (SIGTERM) and waits. The JVM servers all get the same JVM flags.
 * Not thread-safe: one owner.
 */
public final class ServerProcess implements AutoCloseable {

    /** The Java versions prefix of a {@code jvm.options} line: {@code 17-19:} or {@code 21-:}. */
    private static final java.util.regex.Pattern VERSIONS = java.util.regex.Pattern.compile("(\\d+)-(\\d*):(.*)");

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private volatile Path pidFile;

    private ServerProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Herald's server ({@code java -jar herald-server.jar --port P}), with the JVM options its build ships beside the
     * jar ({@link #heraldJvmOptions}) before {@code jvmFlags}, so a flag given here overrides the shipped one.
     */
    public static ServerProcess herald(Path heraldJar, int port, String cpus, List<String> jvmFlags, Path workDir) throws IOException {
        requireFile(heraldJar, "Herald's server jar (build it: mvn -pl server -am install -DskipTests)");
        List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        command.addAll(heraldJvmOptions(heraldJar));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", heraldJar.toString(), "--port", Integer.toString(port)));
        return start("herald", command, port, workDir, null);
    }

    /** Herald's server with further command-line options (e.g. {@code --stomp-prefetch 1000}). */
    public static ServerProcess herald(Path heraldJar, int port, String cpus, List<String> jvmFlags, Path workDir,
                                       List<String> options) throws IOException {
        requireFile(heraldJar, "Herald's server jar (build it: mvn -pl server,bench -am package -DskipTests)");
        List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        command.addAll(heraldJvmOptions(heraldJar));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", heraldJar.toString(), "--port", Integer.toString(port)));
        command.addAll(options);
        return start("herald", command, port, workDir, null);
    }

    /**
     * The JVM options Herald's build ships in {@code jvm.options} beside {@code heraldJar} (what {@code bin/herald}
     * starts the server with), for the JVM the servers run on (this one's).
     */
    static List<String> heraldJvmOptions(Path heraldJar) throws IOException {
        return heraldJvmOptions(heraldJar, Runtime.version().feature());
    }

    /**
     * The options of {@code jvm.options} beside {@code heraldJar} for Java feature version {@code feature}:
     * whitespace-separated, {@code #} to the end of a line is a comment, and a line starting {@code 17-19:} (or
     * {@code 21-:}) applies to those versions only. None for a jar without that file (a build from before it
     * existed), so a before/after pair each runs as it shipped.
     */
    static List<String> heraldJvmOptions(Path heraldJar, int feature) throws IOException {
        Path file = heraldJar.toAbsolutePath().resolveSibling("jvm.options");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int comment = line.indexOf('#');
            String text = (comment < 0 ? line : line.substring(0, comment)).trim();
            java.util.regex.Matcher range = VERSIONS.matcher(text);
            if (range.matches()) {
                int low = Integer.parseInt(range.group(1));
                if (feature < low || !range.group(2).isEmpty() && feature > Integer.parseInt(range.group(2))) {
                    continue;
                }
                text = range.group(3).trim();
            }
            for (String option : text.split("\\s+")) {
                if (!option.isEmpty()) {
                    options.add(option);
                }
            }
        }
        return options;
    }

    /** A real CometD server ({@code LoadGenerator serve-cometd}), from the benchmarks jar. */
    public static ServerProcess cometd(Path benchJar, int port, String cpus, List<String> jvmFlags, Path workDir) throws IOException {
        requireFile(benchJar, "the benchmarks jar (build it: mvn -pl bench -am package -DskipTests)");
        List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", benchJar.toString(), "io.herald.bench.load.LoadGenerator", "serve-cometd",
                "--port", Integer.toString(port)));
        return start("cometd", command, port, workDir, null);
    }

    /**
     * A RabbitMQ node of its own (Debian {@code rabbitmq-server}, with {@code rabbitmq_web_stomp} and
     * {@code rabbitmq_stomp}), fresh data in {@code workDir}, Web-STOMP on {@code port} ({@code /ws}), STOMP on
     * {@code port + 1}, AMQP on {@code port + 2}: the machine's shared RabbitMQ serves other work, whose CPU
     * would count as the benchmark's. Needs root (the server drops to the {@code rabbitmq} user, which must
     * own the data directory). The serving process is the node's {@code beam.smp}.
     */
    public static ServerProcess rabbitmq(int port, String cpus, Path workDir) throws IOException, InterruptedException {
        Path server = Path.of("/usr/sbin/rabbitmq-server");
        requireFile(server, "rabbitmq-server (apt-get install rabbitmq-server)");
        Path dir = workDir.resolve("rabbitmq-" + port).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        // Cowboy closes a WebSocket that received nothing for 60 s by default: the idle-connection benchmark
        // (stomp-idle) keeps its connections for minutes, as Herald does without a limit.
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.default = " + (port + 2) + "\nweb_stomp.tcp.port = " + port
                + "\nstomp.listeners.tcp.1 = " + (port + 1) + "\nweb_stomp.ws_opts.idle_timeout = 3600000"
                + "\nweb_stomp.cowboy_opts.idle_timeout = 3600000\n");
        Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_web_stomp,rabbitmq_stomp].\n");
        Process chown = new ProcessBuilder("chown", "-R", "rabbitmq:rabbitmq", dir.toString()).inheritIO().start();
        if (chown.waitFor() != 0) {
            throw new IllegalStateException("cannot hand " + dir + " to the rabbitmq user (chown exited " + chown.exitValue() + "; run as root)");
        }
        // Debian's wrapper switches user with su, whose PAM session resets the open-files limit to 1,024 (RabbitMQ then
        // refuses most of the benchmark's connections); setpriv switches without PAM and keeps the raised limit.
        List<String> command = List.of("taskset", "-c", cpus, "sh", "-c", "ulimit -n 20000 && exec setpriv --reuid rabbitmq "
                + "--regid rabbitmq --init-groups env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server");
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("RABBITMQ_NODENAME", "heraldbench" + port + "@localhost");
        env.put("RABBITMQ_DIST_PORT", Integer.toString(port + 3));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_FEATURE_FLAGS_FILE", dir.resolve("feature_flags").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
        ServerProcess started = start("rabbitmq", builder, port, workDir, dir, dir.resolve("pid"));
        return started;
    }

    /** The raw SSE ceiling, from the benchmarks jar. */
    public static ServerProcess ceiling(Path benchJar, int port, String cpus, List<String> jvmFlags, Path workDir) throws IOException {
        requireFile(benchJar, "the benchmarks jar (build it: mvn -pl bench -am package -DskipTests)");
        List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", benchJar.toString(), "io.herald.bench.load.LoadGenerator", "serve-sse-ceiling",
                "--port", Integer.toString(port)));
        return start("ceiling", command, port, workDir, null);
    }

    /**
     * nginx with Nchan, configured by the {@code nchan/nginx.conf} resource in a prefix directory of its own
     * under {@code workDir}.
     */
    public static ServerProcess nchan(int port, String cpus, Path workDir) throws IOException {
        Path nginx = Path.of("/usr/sbin/nginx");
        Path module = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");
        requireFile(nginx, "nginx (apt-get install nginx-light libnginx-mod-nchan)");
        requireFile(module, "the Nchan module (apt-get install libnginx-mod-nchan)");
        Path prefix = workDir.resolve("nchan-" + port).toAbsolutePath();
        for (String dir : List.of("conf", "logs", "tmp")) {
            Files.createDirectories(prefix.resolve(dir));
        }
        String conf;
        try (InputStream in = ServerProcess.class.getResourceAsStream("/nchan/nginx.conf")) {
            if (in == null) {
                throw new IllegalStateException("resource /nchan/nginx.conf is missing from the benchmarks jar");
            }
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(prefix.resolve("conf/nginx.conf"), conf.replace("@PORT@", Integer.toString(port)));
        List<String> command = List.of("taskset", "-c", cpus, nginx.toString(), "-p", prefix + "/", "-e", "logs/error.log",
                "-c", "conf/nginx.conf");
        return start("nchan", command, port, workDir, prefix);
    }

    private static ServerProcess start(String name, List<String> command, int port, Path workDir, Path dir) throws IOException {
        return start(name, new ProcessBuilder(command), port, workDir, dir, null);
    }

    private static ServerProcess start(String name, ProcessBuilder builder, int port, Path workDir, Path dir, Path pidFile)
            throws IOException {
        // Another benchmark may hold the port; measuring its server instead of ours must not happen silently.
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("0.0.0.0", port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is taken (another server runs there?); choose another with --port", e);
        }
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + "-" + port + ".log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process = builder.start();
        ServerProcess server = new ServerProcess(name, process, port, log);
        server.pidFile = pidFile;
        try {
            server.awaitListening(60_000);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitListening(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening on "
                        + port + "; see " + log + ":\n" + tail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within " + timeoutMillis + " ms; see " + log);
    }

    public String name() {
        return name;
    }

    /**
     * Whether the serving process is a JVM, whose heap can be read with {@code jcmd}. Never point
     * {@code jcmd} at anything else: it attaches with SIGQUIT, which makes an nginx worker shut down.
     */
    public boolean isJvm() {
        return !name.equals("nchan") && pidFile == null;
    }

    public int port() {
        return port;
    }

    /**
     * The process that does the serving: the JVM, or nginx's one worker (the master only supervises). Its
     * CPU time and RSS are what the run reports.
     */
    public long servingPid() {
        if (pidFile != null) {
            try {
                return Long.parseLong(Files.readString(pidFile).trim());
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException(name + " wrote no pid to " + pidFile + "; see " + log, e);
            }
        }
        if (isJvm()) {
            return process.pid();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<ProcessHandle> worker = process.toHandle().children().findFirst();
            if (worker.isPresent()) {
                return worker.get().pid();
            }
            sleep(50);
        }
        throw new IllegalStateException("nginx (pid " + process.pid() + ") started no worker; see " + log);
    }

    /** Files the serving process has open now (sockets included), from {@code /proc/<pid>/fd}. */
    public int openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(servingPid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the open files of " + name + "; did it exit? see " + log, e);
        }
    }

    /** The last lines of the log, for error messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (pidFile != null && Files.exists(pidFile)) {
            // The launcher is a shell chain (su, sh); the node itself must be told to stop.
            ProcessHandle.of(servingPid()).ifPresent(node -> {
                node.destroy();
                try {
                    node.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    node.destroyForcibly();
                }
            });
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("missing " + file + ": " + what);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
