package io.herald.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real npm {@code faye} client in a Node process (src/test/js/faye-client.mjs), reporting what it sees as
 * JSON lines and taking publish commands on stdin. Installs the pinned package with {@code npm ci} on first
 * use; fails (never skips) when Node or npm is missing.
 */
final class NodeFaye implements AutoCloseable {

    static final Path PROJECT = Path.of("src/test/js").toAbsolutePath();
    private static final Path NPM_LOG = Path.of("target/npm-ci.log").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer commands;
    final BlockingQueue<JsonNode> seen = new LinkedBlockingQueue<>();

    NodeFaye(String url, String pattern, Map<String, String> env, String... options) throws IOException {
        ensureInstalled();
        List<String> command = new ArrayList<>(List.of("node", "faye-client.mjs", url, pattern));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(env);
        process = builder.start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    seen.add(JSON.readTree(line));
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "node-faye");
        reader.setDaemon(true);
        reader.start();
    }

    NodeFaye(String url, String pattern) throws IOException {
        this(url, pattern, Map.of());
    }

    static synchronized void ensureInstalled() throws IOException {
        if (Files.isDirectory(PROJECT.resolve("node_modules/faye"))) {
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

    /** Publishes through the faye client. */
    void publish(String channel, String json) throws IOException {
        commands.write("{\"publish\":" + JSON.writeValueAsString(channel) + ",\"data\":" + json + "}\n");
        commands.flush();
    }

    /** Reports taken from the queue while looking for another kind, for later calls; owned by the test thread. */
    private final List<JsonNode> pending = new ArrayList<>();

    /** The next thing of {@code kind} the client saw; reports of other kinds stay for later calls. */
    JsonNode next(String kind) throws InterruptedException {
        for (int i = 0; i < pending.size(); i++) {
            if (pending.get(i).get("kind").asText().equals(kind)) {
                return pending.remove(i);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode node = seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (node == null) {
                throw new AssertionError("the faye client saw no " + kind + " within 30 s"
                        + (process.isAlive() ? "" : " (node exited with " + process.exitValue() + ")"));
            }
            if (node.get("kind").asText().equals(kind)) {
                return node;
            }
            pending.add(node);
        }
    }

    /** The data of the next {@code n} messages, skipping other reports. */
    List<String> messages(int n) throws InterruptedException {
        List<String> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            data.add(next("message").get("data").toString());
        }
        return data;
    }

    /** Ends the Node process at once, without a /meta/disconnect: a crash, as the server sees it. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            commands.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
