package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.core.RandomIds;
import io.herald.testkit.http.SseStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes, Redis as history and RabbitMQ as broker (G5): an SSE subscriber on node A, the
 * publisher on node B; node A is SIGKILLed mid-stream while B keeps publishing; the subscriber resumes on B
 * with its last event id and has every message once, in order. The scenario store-redis proves with Redis as
 * broker ({@code TwoNodeResumeTest}), here across real processes fanning out through RabbitMQ.
 */
@DisplayName("two server processes fanning out through RabbitMQ")
class RabbitTwoNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();
    private static final String REDIS = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String RABBITMQ = System.getenv().getOrDefault("HERALD_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/");

    private final String prefix = "herald-it:" + RandomIds.next(10) + ":";
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private URI node(String name) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder("java", "-jar", JAR.toString(), "--port", String.valueOf(port), "--host", "127.0.0.1",
                "--store", "redis", "--redis-url", REDIS, "--redis-prefix", prefix,
                "--broker", "rabbitmq", "--rabbitmq-url", RABBITMQ, "--rabbitmq-exchange", "herald.test")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(process);
        URI base = URI.create("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> TestServer.send(HttpRequest.newBuilder(base.resolve("/health")).GET()).statusCode() == 200);
        return base;
    }

    private static void publish(URI node, String channel, int from, int to) {
        for (int n = from; n <= to; n++) {
            HttpResponse<String> response = TestServer.send(HttpRequest.newBuilder(node.resolve("/api/publish"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + n + "}}")));
            assertThat(response.statusCode()).as("publish %d on %s: %s", n, node, response.body()).isEqualTo(200);
        }
    }

    private static URI stream(URI node, String channel) {
        return node.resolve("/sse?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("node A SIGKILLed under its subscriber: the subscriber resumes on B with every message once, in order")
    void resumesOnTheOtherNodeAfterSigkill() throws Exception {
        URI a = node("a");
        URI b = node("b");
        String channel = "/rmq-two-nodes-" + RandomIds.next(6) + "/room";
        String start = JSON.readTree(TestServer.send(HttpRequest.newBuilder(b.resolve("/api/cursor?channel="
                + URLEncoder.encode(channel, StandardCharsets.UTF_8))).GET()).body()).get("lastEventId").asText();

        SseStream onA = SseStream.open(stream(a, channel), start);
        publish(b, channel, 1, 20);
        await("the subscriber on node A receives what node B publishes").atMost(Duration.ofSeconds(30))
                .until(() -> onA.messages().size() >= 20);

        processes.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        publish(b, channel, 21, 40);
        await("the stream on node A ends when A is killed").atMost(Duration.ofSeconds(30)).until(onA::ended);
        List<SseStream.Event> received = new ArrayList<>(onA.messages());
        publish(b, channel, 41, 50);
        assertThat(received).as("what the subscriber had when node A died").hasSizeBetween(20, 40);

        try (SseStream onB = SseStream.open(stream(b, channel), received.get(received.size() - 1).id())) {
            await("the subscriber resumed on node B catches up").atMost(Duration.ofSeconds(30))
                    .until(() -> received.size() + onB.messages().size() >= 50);
            publish(b, channel, 51, 60);
            await("and then receives live").atMost(Duration.ofSeconds(30)).until(() -> received.size() + onB.messages().size() >= 60);
            received.addAll(onB.messages());
            assertThat(onB.ofType("missedevents")).as("missedevents on node B").isEmpty();
        }
        assertThat(received).extracting(SseStream.Event::data).as("every message once, in order, across the kill")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 60).mapToObj(n -> "{\"n\":" + n + "}").toList());
    }
}
