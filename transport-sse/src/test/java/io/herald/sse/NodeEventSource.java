package io.herald.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real npm {@code eventsource} client in a Node process (src/test/js/sse-client.mjs), reporting what it
 * sees as JSON lines. Installs the pinned package with {@code npm ci} on first use; fails (never skips)
 * when Node or npm is missing.
 */
final class NodeEventSource implements AutoCloseable {

    private static final Path PROJECT = Path.of("src/test/js").toAbsolutePath();
    private static final Path NPM_LOG = Path.of("target/npm-ci.log").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    final BlockingQueue<JsonNode> seen = new LinkedBlockingQueue<>();

    NodeEventSource(String url) throws IOException {
        ensureInstalled();
        process = new ProcessBuilder("node", "sse-client.mjs", url).directory(PROJECT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    seen.add(JSON.readTree(line));
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "node-eventsource");
        reader.setDaemon(true);
        reader.start();
    }

    static synchronized void ensureInstalled() throws IOException {
        if (Files.isDirectory(PROJECT.resolve("node_modules/eventsource"))) {
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

    /** The next thing the client saw, of any kind. */
    JsonNode next(Duration timeout) throws InterruptedException {
        JsonNode node = seen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (node == null) {
            throw new AssertionError("the npm eventsource client saw nothing within " + timeout
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
        process.getOutputStream().close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
