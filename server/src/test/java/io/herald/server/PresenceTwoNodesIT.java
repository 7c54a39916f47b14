package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.RandomIds;
import io.herald.core.auth.HmacTokens;
import io.herald.testkit.http.SseStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Two server processes on the shared Redis with the presence extension; the one holding bob's connection is
 * SIGKILLed, so nothing on it ever says bob left: the other node's sweep must tell exactly one leave.
 */
@DisplayName("presence on two server processes sharing Redis")
class PresenceTwoNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of(System.getProperty("herald.jar", "target/herald-server.jar")).toAbsolutePath();
    private static final String REDIS = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String SECRET = "presence-it-secret";
    private static final HmacTokens TOKENS = new HmacTokens(SECRET);

    private final String prefix = "herald-it:" + RandomIds.next(10) + ":";
    private final List<Process> processes = new ArrayList<>();
    private final List<SseStream> streams = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        streams.forEach(SseStream::close);
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        URI redis = URI.create(REDIS);
        try (Jedis jedis = new Jedis(new HostAndPort(redis.getHost(), redis.getPort()))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!page.getResult().isEmpty()) {
                    jedis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }

    private URI node(String name) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder("java", "-jar", JAR.toString(), "--port", String.valueOf(port), "--host", "127.0.0.1",
                "--store", "redis", "--redis-url", REDIS, "--redis-prefix", prefix, "--token-secret", SECRET,
                "--extensions", "presence", "--presence-ttl", "2s", "--presence-grace", "1s", "--presence-sweep", "200ms")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(process);
        URI base = URI.create("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> TestServer.send(HttpRequest.newBuilder(base.resolve("/health")).GET()).statusCode() == 200);
        return base;
    }

    private SseStream stream(URI node, String channel, String user, String grant) {
        String token = TOKENS.mint(user, List.of(ChannelName.of(grant)), Duration.ofHours(1));
        SseStream stream = SseStream.open(node.resolve("/sse?channel=" + channel + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null);
        streams.add(stream);
        return stream;
    }

    /** The presence events {@code stream} received, as {@code "<event> <user>"}. */
    private static List<String> events(SseStream stream) {
        return stream.events.stream().filter(e -> "join".equals(e.type()) || "leave".equals(e.type())).map(e -> {
            try {
                JsonNode data = JSON.readTree(e.data());
                assertThat(data.get("event").asText()).as("event field of %s", e.data()).isEqualTo(e.type());
                return e.type() + " " + data.get("user").asText();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }).toList();
    }

    @Test
    @DisplayName("a node SIGKILLed with bob's connection: exactly one leave of bob, observed on the other node; alice stays")
    void killedNodeGivesExactlyOneLeave() throws Exception {
        URI a = node("a");
        URI b = node("b");
        SseStream observer = stream(a, "/presence/chat/room", "observer", "/presence/chat/**");
        stream(a, "/chat/room", "alice", "/chat/**");
        stream(b, "/chat/room", "bob", "/chat/**");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(observer).containsAll(List.of("join alice", "join bob")));

        Process nodeB = processes.get(1);
        nodeB.destroyForcibly();
        assertThat(nodeB.waitFor(30, TimeUnit.SECONDS)).as("node b killed").isTrue();
        assertThat(nodeB.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(137);

        await().atMost(Duration.ofSeconds(30)).until(() -> events(observer).contains("leave bob"));
        // Several more sweeps of node a (every 200 ms) must not tell it again.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> events(observer).stream().filter(e -> e.equals("leave bob")).count() == 1);
        assertThat(events(observer)).as("presence events on node a").containsExactlyInAnyOrder("join alice", "join bob", "leave bob");

        JsonNode members = JSON.readTree(TestServer.send(HttpRequest.newBuilder(a.resolve("/api/presence?channel=/chat/room")).GET()).body())
                .get("members");
        assertThat(members).as("members on node a after b died: %s", members).hasSize(1);
        assertThat(members.get(0).get("user").asText()).isEqualTo("alice");
        assertThat(Files.readString(dir.resolve("a.log"))).as("node a's log").doesNotContain("Exception");
    }
}
