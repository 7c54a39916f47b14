package io.herald.stomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real npm {@code @stomp/stompjs} client over {@code ws} in a Node process (src/test/js/stomp-client.mjs),
 * reporting what it sees as JSON lines and taking commands as JSON lines. Installs the pinned packages with
 * {@code npm ci} on first use; fails (never skips) when Node or npm is missing.
 */
final class NodeStompClient implements AutoCloseable {

    private static final Path PROJECT = Path.of("src/test/js").toAbsolutePath();
    private static final Path NPM_LOG = Path.of("target/npm-ci.log").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream commands;
    final BlockingQueue<JsonNode> seen = new LinkedBlockingQueue<>();

    /** Starts a client on {@code url} with the script's config (subscriptions made on every connect, ...). */
    NodeStompClient(String url, Map<String, Object> config) throws IOException {
        ensureInstalled();
        process = new ProcessBuilder("node", "stomp-client.mjs", url, JSON.writeValueAsString(config)).directory(PROJECT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    seen.add(JSON.readTree(line));
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "node-stompjs");
        reader.setDaemon(true);
        reader.start();
    }

    static synchronized void ensureInstalled() throws IOException {
        if (Files.isDirectory(PROJECT.resolve("node_modules/@stomp/stompjs")) && Files.isDirectory(PROJECT.resolve("node_modules/ws"))) {
            return;
        }
        try {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(PROJECT.toFile())
                    // Not inheritIO: npm would share the test JVM's stdin and stdout, surefire's channel to its fork, and
                    // make them non-blocking ("std/in stream corrupted", the fork then fails to exit).
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(NPM_LOG.toFile())).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IOException("npm ci failed in " + PROJECT + ", its output is in " + NPM_LOG);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing npm packages", e);
        }
    }

    /** Sends a command line to the script: {@code op} plus fields. */
    void command(Map<String, Object> command) throws IOException {
        commands.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    /** The next thing the client saw, of any kind. */
    JsonNode next(Duration timeout) throws InterruptedException {
        JsonNode node = seen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (node == null) {
            throw new AssertionError("stompjs saw nothing within " + timeout
                    + (process.isAlive() ? "" : " (node exited with " + process.exitValue() + ")"));
        }
        return node;
    }

    /** The next event of {@code kind}, skipping others. */
    JsonNode next(String kind) throws InterruptedException {
        while (true) {
            JsonNode node = next(Duration.ofSeconds(15));
            if (node.get("kind").asText().equals(kind)) {
                return node;
            }
        }
    }

    @Override
    public void close() throws IOException {
        commands.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
