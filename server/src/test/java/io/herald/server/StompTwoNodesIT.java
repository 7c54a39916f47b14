package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.RandomIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable STOMP subscription resumes on another node (G3, G4, G5): two server processes share a store
 * (Redis, or PostgreSQL through store-jdbc); a client subscribes durably on node A with client-individual
 * acks and acks part of what it got; node A is SIGKILLed while node B keeps publishing; the client connects
 * to node B and subscribes with the same id and destination. It gets what it had not acked again, flagged
 * {@code redelivered:true}, then what it missed and what follows, each once, in order; and its acks on B
 * settle the subscription made on A.
 */
@DisplayName("a durable STOMP subscription made on one node resumes on another")
class StompTwoNodesIT {

    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();
    private static final String REDIS = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String POSTGRES = System.getenv().getOrDefault("HERALD_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String POSTGRES_USER = System.getenv().getOrDefault("HERALD_TEST_POSTGRES_USER", "postgres");

    private final String prefix = "stompdur" + RandomIds.next(8).toLowerCase().replaceAll("[^a-z0-9]", "x") + "_";
    private final List<Process> processes = new ArrayList<>();
    private String store;

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if ("jdbc".equals(store)) {
            try (Connection c = DriverManager.getConnection(POSTGRES, POSTGRES_USER, null); Statement s = c.createStatement()) {
                for (String table : List.of("message", "channel", "session", "session_name", "presence_member", "presence_user",
                        "presence_total", "presence_channel", "schema_history", "notify_spill")) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + table);
                }
            }
        }
    }

    private URI node(String name) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "--port", String.valueOf(port),
                "--host", "127.0.0.1", "--store", store));
        if (store.equals("redis")) {
            command.addAll(List.of("--redis-url", REDIS, "--redis-prefix", "herald-it:" + prefix));
        } else {
            command.addAll(List.of("--jdbc-url", POSTGRES, "--jdbc-user", POSTGRES_USER, "--jdbc-table-prefix", prefix));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
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

    private static String body(int n) {
        return "{\"n\":" + n + "}";
    }

    private static List<String> bodies(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(StompTwoNodesIT::body).toList();
    }

    /** SUBSCRIBE with the durable headers and a receipt, waiting for the receipt (redeliveries may come first). */
    private static void subscribe(StompSocket stomp, String destination) throws InterruptedException {
        stomp.send("SUBSCRIBE", "id", "sub-0", "destination", destination, "durable", "true", "auto-delete", "false",
                "ack", "client-individual", "prefetch-count", "100", "receipt", "subscribed");
        stomp.awaitReceipt("subscribed");
    }

    private static List<StompSocket.Frame> messages(StompSocket stomp, int count) throws InterruptedException {
        List<StompSocket.Frame> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            got.add(stomp.next("MESSAGE"));
        }
        return got;
    }

    /** ACKs each frame, the last with a receipt, and waits for the receipt: the acks are settled then. */
    private static void ack(StompSocket stomp, List<StompSocket.Frame> frames) throws InterruptedException {
        for (int i = 0; i < frames.size(); i++) {
            String id = frames.get(i).header("ack");
            if (i < frames.size() - 1) {
                stomp.send("ACK", "id", id);
            } else {
                stomp.send("ACK", "id", id, "receipt", "acked");
            }
        }
        stomp.awaitReceipt("acked");
    }

    @ParameterizedTest(name = "on --store {0}")
    @ValueSource(strings = {"redis", "jdbc"})
    @DisplayName("node A SIGKILLed: on node B the client gets its unacked messages again, then what it missed, once, in order")
    void resumesOnAnotherNodeAfterSigkill(String backend) throws Exception {
        store = backend;
        URI a = node("a");
        URI b = node("b");
        String word = "stompdur" + RandomIds.next(6).toLowerCase().replaceAll("[^a-z0-9]", "x");
        String destination = "/topic/" + word + ".room";
        String channel = "/" + word + "/room";

        StompSocket onA = StompSocket.connect(a);
        subscribe(onA, destination);
        publish(b, channel, 1, 20);
        List<StompSocket.Frame> first = messages(onA, 20);
        assertThat(first).extracting(StompSocket.Frame::body).as("what node A delivered").containsExactlyElementsOf(bodies(1, 20));
        assertThat(first).extracting(f -> f.header("subscription")).as("subscription of the messages on A").containsOnly("sub-0");
        ack(onA, first.subList(0, 15));

        processes.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        onA.close();
        publish(b, channel, 21, 40);

        try (StompSocket onB = StompSocket.connect(b)) {
            subscribe(onB, destination);
            List<StompSocket.Frame> resumed = messages(onB, 25);
            publish(b, channel, 41, 45);
            List<StompSocket.Frame> live = messages(onB, 5);
            assertThat(onB.poll(Duration.ofMillis(500))).as("a frame after the last message on B").isNull();

            assertThat(resumed).extracting(StompSocket.Frame::body).as("what node B delivered on resume")
                    .containsExactlyElementsOf(bodies(16, 40));
            assertThat(resumed.subList(0, 5)).extracting(f -> f.header("redelivered")).as("redelivered flag of the 5 unacked on A")
                    .containsOnly("true");
            assertThat(resumed.subList(5, 25)).extracting(f -> f.header("redelivered")).as("redelivered flag of what was missed")
                    .allMatch(flag -> flag == null || flag.equals("false"));
            assertThat(live).extracting(StompSocket.Frame::body).as("what node B delivered live").containsExactlyElementsOf(bodies(41, 45));
            List<StompSocket.Frame> all = new ArrayList<>(resumed);
            all.addAll(live);
            ack(onB, all);
        }

        // The acks on B settled the subscription made on A: another connection gets only what is new.
        try (StompSocket again = StompSocket.connect(b)) {
            subscribe(again, destination);
            publish(b, channel, 46, 46);
            StompSocket.Frame next = again.next("MESSAGE");
            assertThat(next.body()).as("the first message after everything was acked on B").isEqualTo(body(46));
            assertThat(next.header("redelivered")).as("its redelivered flag").isNotEqualTo("true");
        }
    }
}
