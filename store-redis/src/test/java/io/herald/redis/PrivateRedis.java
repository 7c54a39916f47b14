package io.herald.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A {@code redis-server} of the test's own on a free port, for what the shared Redis must never suffer:
 * restarts, killed connections, passwords. Persistent ones keep their data across {@link #restart()} in an
 * append-only file synced on every write. The process is stopped and its directory deleted on close.
 */
final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final String password;
    private final boolean persistent;
    private final Path dir;
    private Process process;

    private PrivateRedis(int port, String password, boolean persistent, Path dir) {
        this.port = port;
        this.password = password;
        this.persistent = persistent;
        this.dir = dir;
    }

    /** Starts a server; {@code password} may be {@code null}. */
    static PrivateRedis start(String password, boolean persistent) {
        try {
            PrivateRedis redis = new PrivateRedis(freePort(), password, persistent, Files.createTempDirectory("herald-redis-"));
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    /** The URL with the right password, database 0. */
    String url() {
        return url(password, 0);
    }

    String url(String withPassword, int database) {
        return "redis://" + (withPassword == null ? "" : ":" + withPassword + "@") + "127.0.0.1:" + port + "/" + database;
    }

    /** Stops the server (SIGTERM: a clean shutdown) and waits for it to exit. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again on the same port and directory. */
    void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(persistent ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server (is it installed?)", e);
        }
        Awaitility.await("redis-server on port " + port + " accepts connections").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
                    }
                    new Socket("127.0.0.1", port).close();
                    return true;
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
