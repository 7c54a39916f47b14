package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged server as a user runs it: a separate JVM started by bin/herald or java -jar. */
@DisplayName("the packaged server, as a child process")
class ServerProcessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();
    private static final Path LAUNCHER = JAR.getParent().getParent().getParent().resolve("bin/herald");

    @TempDir
    Path dir;

    @Test
    @DisplayName("bin/herald starts it on --port, it publishes and replays over HTTP, SIGTERM stops it cleanly")
    void endToEnd() throws Exception {
        int port = freePort();
        Path log = dir.resolve("herald.log");
        // Run from an unrelated directory: the launcher must find its checkout by itself.
        Process process = new ProcessBuilder(LAUNCHER.toString(), "--port", String.valueOf(port))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class)
                    .until(() -> get(base.resolve("/health")).statusCode() == 200);

            String data = "{\"text\": \"hello\",  \"n\":[1.0, 2]}";
            HttpResponse<String> published = TestServer.send(HttpRequest.newBuilder(base.resolve("/api/publish"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"/e2e/room\",\"data\":" + data + ",\"event\":\"greeting\"}")));
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            assertThat(JSON.readTree(published.body()).get("position").get("offset").asLong()).isEqualTo(1);

            HttpResponse<String> history = get(base.resolve("/api/history?channel=e2e/room"));
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.body()).contains("\"event\":\"greeting\",\"data\":" + data + ",");
            JsonNode messages = JSON.readTree(history.body()).get("messages");
            assertThat(messages).hasSize(1);

            assertThat(get(base.resolve("/metrics")).body()).containsPattern("(?m)^herald_messages_published_total 1\\.0$");
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        // A graceful stop on SIGTERM is a success, not the JVM's 143 (128 + SIGTERM).
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("Herald " + ServerVersion.VALUE + " started on port " + port)
                .contains("/api/publish")
                .contains("NO API KEY")
                .contains("subscriptions need no token")
                .contains("keeps nothing across restarts")
                .contains("Herald stopped")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        List<String> lines = output.lines().toList();
        assertThat(lines.get(lines.size() - 1)).contains("INFO").contains("HeraldServer - Herald stopped");
        assertThat(lines).allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} (INFO |WARN |ERROR|DEBUG) \\S+ - .*"));
    }

    @Test
    @DisplayName("java -jar with an unknown flag prints one line on stderr and exits with 2")
    void unknownFlag() throws Exception {
        Process process = new ProcessBuilder("java", "-jar", JAR.toString(), "--no-such-flag", "x").start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(err).isEqualTo("herald: unknown option --no-such-flag (see --help)\n");
        assertThat(out).isEmpty();
    }

    @Test
    @DisplayName("bin/herald passes its arguments and HERALD_JAVA_OPTS through, from any directory")
    void launcherPassesThrough() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--version").directory(dir.toFile());
        builder.environment().put("HERALD_JAVA_OPTS", "-Xmx64m -Dherald.probe=1");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("herald " + ServerVersion.VALUE + "\n");
        assertThat(process.exitValue()).isZero();

        ProcessBuilder badOpts = new ProcessBuilder(LAUNCHER.toString(), "--version").directory(dir.toFile());
        badOpts.environment().put("HERALD_JAVA_OPTS", "-XX:+NoSuchJvmOption");
        Process failing = badOpts.start();
        assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failing.exitValue()).as("the JVM saw HERALD_JAVA_OPTS").isNotZero();
    }

    private static HttpResponse<String> get(URI uri) {
        return TestServer.send(HttpRequest.newBuilder(uri).GET());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
