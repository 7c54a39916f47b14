package io.herald.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A Redis Cluster of the tests' own: {@value #MASTERS} masters and as many replicas, {@code redis-server
 * --cluster-enabled yes} on spare ports, joined with {@code redis-cli --cluster create --cluster-replicas 1}.
 * Started once per test JVM by the first class that uses it ({@code @ExtendWith(RedisCluster.Shared.class)},
 * then {@link #shared()}) and stopped when the JVM's tests are done; the shared Redis on 6379 is never
 * touched. Servers are child processes (stdio to a log file), so a test can SIGKILL a master
 * ({@link #kill}) and start it again ({@link #restart}), when it rejoins as a replica.
 */
final class RedisCluster implements AutoCloseable {

    static final int MASTERS = 3;
    /** Failover starts after a master has been unreachable this long (Redis's default is 15 s). */
    static final int NODE_TIMEOUT_MILLIS = 1500;

    private static RedisCluster shared;

    private final Path dir;
    private final List<Integer> ports;
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();

    private RedisCluster(Path dir, List<Integer> ports) {
        this.dir = dir;
        this.ports = ports;
    }

    /** Starts the cluster on first use; every later call gets the same. */
    static synchronized RedisCluster shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** The URL naming two of its nodes (the client discovers the others). */
    String url() {
        return "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    }

    List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** The node on {@code port}, for administrative commands (CLUSTER, CLIENT, INFO). */
    static Jedis admin(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port));
    }

    /** The port of the master serving {@code slot}, as the given node sees it. */
    int masterOf(int slot) {
        for (int port : ports) {
            if (!processes.containsKey(port)) {
                continue;
            }
            try (Jedis admin = admin(port)) {
                for (Object range : admin.clusterSlots()) {
                    List<?> r = (List<?>) range;
                    if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                        return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
                    }
                }
            } catch (RuntimeException e) {
                // that node is down; ask another
            }
        }
        throw new AssertionError("no node of the cluster names a master of slot " + slot);
    }

    /** SIGKILLs the server on {@code port}, as a crash would, and waits for it to be gone. */
    void kill(int port) throws InterruptedException {
        Process p = processes.remove(port);
        p.destroyForcibly();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server on port " + port + " survived SIGKILL");
        }
    }

    /** Starts the server on {@code port} again with its cluster configuration: it rejoins the cluster. */
    void restart(int port) {
        launch(port);
        awaitHealthy();
    }

    /**
     * Waits until every running node sees every slot served ({@code cluster_state:ok}) and every replica has
     * synchronized with its master (a replica that never did cannot take over).
     */
    void awaitHealthy() {
        Awaitility.await("the Redis Cluster on " + ports + " is healthy").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    for (int port : processes.keySet()) {
                        try (Jedis admin = admin(port)) {
                            if (!admin.clusterInfo().contains("cluster_state:ok")) {
                                return false;
                            }
                            String replication = admin.info("replication");
                            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    @Override
    public void close() {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }

    private static RedisCluster start() {
        RedisCluster cluster;
        try {
            cluster = new RedisCluster(Files.createTempDirectory("herald-redis-cluster-"), sparePorts(2 * MASTERS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            cluster.ports.forEach(cluster::launch);
            cluster.create();
            cluster.awaitHealthy();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(p -> command.add("127.0.0.1:" + p));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        File log = dir.resolve("create.log").toFile();
        try {
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("redis-cli --cluster create failed: " + Files.readString(log.toPath()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli (is redis-tools installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while creating the cluster", e);
        }
    }

    private void launch(int port) {
        Path nodeDir = dir.resolve(Integer.toString(port));
        try {
            Files.createDirectories(nodeDir);
            Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MILLIS),
                    "--repl-diskless-sync-delay", "0",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", nodeDir.toString())
                    .redirectInput(new File("/dev/null")).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start();
            processes.put(port, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server (is it installed?)", e);
        }
        Awaitility.await("redis-server on port " + port + " accepts connections").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                    if (!processes.get(port).isAlive()) {
                        throw new AssertionError("redis-server exited: " + Files.readString(nodeDir.resolve("redis.log")));
                    }
                    new Socket("127.0.0.1", port).close();
                    return true;
                });
    }

    /** Ports free with their cluster bus port (port + 10000), from a random base so that parallel runs rarely meet. */
    private static List<Integer> sparePorts(int count) {
        List<Integer> ports = new ArrayList<>();
        int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
        while (ports.size() < count) {
            if (free(port) && free(port + 10_000)) {
                ports.add(port);
            }
            port++;
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the shared cluster before the class's tests, and has JUnit stop it once the JVM's tests are done. */
    static final class Shared implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot().getStore(ExtensionContext.Namespace.create(RedisCluster.class))
                    .getOrComputeIfAbsent("cluster", key -> new Closer(shared()), Closer.class);
        }
    }

    /** Closes the shared cluster when JUnit closes its root store. */
    private record Closer(RedisCluster cluster) implements AutoCloseable {
        @Override
        public void close() {
            synchronized (RedisCluster.class) {
                if (shared == cluster) {
                    shared = null;
                }
            }
            cluster.close();
        }
    }
}
