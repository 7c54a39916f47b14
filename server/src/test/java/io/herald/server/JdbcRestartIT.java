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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --store jdbc} with no URL keeps everything in an H2 file under ./data: a server killed with SIGKILL
 * right after its publishes were answered loses none of them, and once started again continues the
 * channel's epoch and offsets (G3 on the embedded store).
 */
@DisplayName("the packaged server on --store jdbc (H2 file), killed and started again")
class JdbcRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    @DisplayName("every answered publish survives SIGKILL, and the restarted server continues the epoch")
    void answeredPublishesSurviveSigkill() throws Exception {
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        Process first = start(port, "first.log");
        List<JsonNode> positions = new ArrayList<>();
        try {
            for (int i = 1; i <= 20; i++) {
                positions.add(publish(base, i));
            }
        } finally {
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.isDirectory(dir.resolve("data"))).as("the H2 file is under ./data").isTrue();
        String epoch = positions.get(0).get("epoch").asText();

        Process second = start(port, "second.log");
        try {
            JsonNode history = JSON.readTree(get(base.resolve("/api/history?channel=/restart/room&limit=100")).body());
            List<Long> offsets = new ArrayList<>();
            history.get("messages").forEach(m -> offsets.add(m.get("position").get("offset").asLong()));
            assertThat(offsets).as("offsets in history after SIGKILL and a restart: %s", history).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
            JsonNode next = publish(base, 21);
            assertThat(next.get("epoch").asText()).as("epoch after the restart").isEqualTo(epoch);
            assertThat(next.get("offset").asLong()).as("offset of the first publish after the restart").isEqualTo(21);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(int port, String log) throws IOException {
        Process process = new ProcessBuilder("java", "-jar", JAR.toString(), "--port", String.valueOf(port), "--store", "jdbc")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class)
                .until(() -> process.isAlive() && get(health).statusCode() == 200 || !process.isAlive());
        assertThat(process.isAlive()).as("server started, log: %s", Files.readString(dir.resolve(log))).isTrue();
        return process;
    }

    private static JsonNode publish(URI base, int n) throws IOException {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(base.resolve("/api/publish"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"/restart/room\",\"data\":{\"n\":" + n + "}}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("position");
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
