package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.testkit.http.SseStream;
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
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --store jdbc} with no URL keeps everything in an H2 file under ./data: a server killed with SIGKILL
 * right after its publishes were answered loses none of them, once started again continues the channel's
 * epoch and offsets, and a durable SSE session ({@code ?session}) open before the kill resumes on the new
 * process with exactly what was published while it was away (G3 on the embedded store).
 */
@DisplayName("the packaged server on --store jdbc (H2 file), killed and started again")
class JdbcRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    @DisplayName("every answered publish survives SIGKILL, the restarted server continues the epoch, and a durable session resumes")
    void answeredPublishesSurviveSigkill() throws Exception {
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        URI sessionStream = base.resolve("/sse?session&channel=/restart/room");
        Process first = start(port, "first.log");
        List<JsonNode> positions = new ArrayList<>();
        SseStream before = SseStream.open(sessionStream, null);
        try {
            await("the durable session's stream opens").atMost(Duration.ofSeconds(30))
                    .until(() -> !before.ofType("lastEventId").isEmpty());
            for (int i = 1; i <= 20; i++) {
                positions.add(publish(base, i));
            }
            await("the durable session receives the 20 messages before the kill").atMost(Duration.ofSeconds(30))
                    .until(() -> before.messages().size() >= 20);
        } finally {
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        await("the session's stream ends with the killed process").atMost(Duration.ofSeconds(30)).until(before::ended);
        before.close();
        List<SseStream.Event> received = new ArrayList<>(before.messages());
        assertThat(received).extracting(SseStream.Event::data).as("what the session had when the server died")
                .containsExactlyElementsOf(messages(1, 20));
        String lastEventId = received.get(received.size() - 1).id();
        assertThat(Files.isDirectory(dir.resolve("data"))).as("the H2 file is under ./data").isTrue();
        String epoch = positions.get(0).get("epoch").asText();

        Process second = start(port, "second.log");
        try {
            JsonNode history = JSON.readTree(get(base.resolve("/api/history?channel=/restart/room&limit=100")).body());
            List<Long> offsets = new ArrayList<>();
            history.get("messages").forEach(m -> offsets.add(m.get("position").get("offset").asLong()));
            assertThat(offsets).as("offsets in history after SIGKILL and a restart: %s", history)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
            JsonNode next = publish(base, 21);
            assertThat(next.get("epoch").asText()).as("epoch after the restart").isEqualTo(epoch);
            assertThat(next.get("offset").asLong()).as("offset of the first publish after the restart").isEqualTo(21);
            for (int i = 22; i <= 30; i++) {
                publish(base, i);
            }

            try (SseStream after = SseStream.open(sessionStream, lastEventId)) {
                await("the resumed session catches up on what it missed").atMost(Duration.ofSeconds(30))
                        .until(() -> after.messages().size() >= 10);
                publish(base, 31);
                await("and then receives live").atMost(Duration.ofSeconds(30)).until(() -> after.messages().size() >= 11);
                assertThat(after.ofType("missedevents")).as("a reset on resume: %s", after.events).isEmpty();
                String session = lastEventId.substring(0, lastEventId.indexOf('-') + 1);
                assertThat(after.messages()).extracting(SseStream.Event::id).as("ids of the resumed stream name the same session")
                        .allMatch(id -> id.startsWith(session));
                received.addAll(after.messages());
            }
            assertThat(received).extracting(SseStream.Event::data).as("every message once, in order, across SIGKILL and restart")
                    .containsExactlyElementsOf(messages(1, 31));
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> messages(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList();
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
