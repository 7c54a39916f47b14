package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.http.HeraldHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/publish} on the memory store is answered on the selector thread that parsed the request (no
 * hand-off to the pool). What that must survive: bodies that arrive after their headers, in pieces, on many
 * connections at once (the body is then awaited without holding the selector), a body that never finishes,
 * and a store whose append may wait (the endpoint then runs on the pool). Real sockets, real server.
 */
@DisplayName("publish answered on the selector thread")
class PublishOnSelectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CHANNELS = {"/split/a", "/split/b", "/split/c"};

    @Test
    @DisplayName("the handler tree is non-blocking and the publish endpoint runs on the selector on the memory store")
    void nonBlockingOnMemory() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().herald().injector().getInstance(HeraldHttpServer.class).invocationType())
                    .isEqualTo(Handler.InvocationType.NON_BLOCKING);
            assertThat(server.server().herald().injector().getInstance(PublishHandler.class).getInvocationType())
                    .isEqualTo(Handler.InvocationType.NON_BLOCKING);
        }
    }

    @Test
    @DisplayName("on Redis, whose pipelined append may wait for room, the publish endpoint runs on the pool and still answers")
    void blockingOnRedis() throws IOException {
        String prefix = "herald-selector-test-" + UUID.randomUUID() + ":";
        try (TestServer server = TestServer.start("--store", "redis", "--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix)) {
            assertThat(server.server().herald().injector().getInstance(PublishHandler.class).getInvocationType())
                    .isEqualTo(Handler.InvocationType.BLOCKING);
            assertThat(server.server().herald().injector().getInstance(HeraldHttpServer.class).invocationType())
                    .as("the blocking endpoint is handed to the pool, the tree stays non-blocking")
                    .isEqualTo(Handler.InvocationType.NON_BLOCKING);
            HttpResponse<String> answer = server.post("/api/publish", "{\"channel\":\"/redis/a\",\"data\":{\"n\":1}}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).get("position").get("offset").asLong()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("many keep-alive publishers, each body split across TCP packets at random points: every one answered, offsets complete")
    void splitBodies() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        String context = "seed " + seed + " (rerun with -Dstress.seed=" + seed + ")";
        int connections = 24;
        int perConnection = 40;
        try (TestServer server = TestServer.start("--history-size", "100000")) {
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            List<Future<Map<String, List<Long>>>> futures = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Random random = new Random(seed + c);
                int connection = c;
                futures.add(pool.submit(() -> publishSplit(server.server().port(), connection, perConnection, random, context)));
            }
            Map<String, List<Long>> offsets = new TreeMap<>();
            for (Future<Map<String, List<Long>>> future : futures) {
                future.get(120, TimeUnit.SECONDS).forEach((channel, seen) -> offsets.computeIfAbsent(channel, k -> new ArrayList<>()).addAll(seen));
            }
            pool.shutdown();
            long total = offsets.values().stream().mapToLong(List::size).sum();
            assertThat(total).as(context).isEqualTo((long) connections * perConnection);
            offsets.forEach((channel, seen) -> assertThat(seen).as("offsets answered on %s, %s", channel, context)
                    .doesNotHaveDuplicates().allMatch(o -> o >= 1 && o <= seen.size()));
        }
    }

    @Test
    @DisplayName("a body that stops half way holds no thread: publishes on other connections are answered meanwhile, then it is")
    void slowBodyDoesNotHoldTheSelector() throws Exception {
        try (TestServer server = TestServer.start("--http-body-timeout", "60s")) {
            RequestBodies bodies = server.server().herald().injector().getInstance(RequestBodies.class);
            byte[] body = "{\"channel\":\"/slow/a\",\"data\":{\"text\":\"arrives in two halves\"}}".getBytes(StandardCharsets.UTF_8);
            try (Socket slow = new Socket("127.0.0.1", server.server().port())) {
                slow.setTcpNoDelay(true);
                slow.setSoTimeout(30_000);
                OutputStream out = slow.getOutputStream();
                out.write(head(body.length).getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, 0, body.length / 2);
                out.flush();
                await("the half body is being awaited").atMost(Duration.ofSeconds(20)).until(() -> bodies.pending() == 1);

                for (int i = 0; i < 50; i++) {
                    HttpResponse<String> answer = server.post("/api/publish", "{\"channel\":\"/slow/b\",\"data\":{\"n\":" + i + "}}");
                    assertThat(answer.statusCode()).as("publish %d while a body is half sent: %s", i, answer.body()).isEqualTo(200);
                }
                assertThat(server.get("/health").statusCode()).isEqualTo(200);

                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
                Answer answer = Answer.read(slow.getInputStream());
                assertThat(answer.status).as(answer.body).isEqualTo(200);
                assertThat(JSON.readTree(answer.body).get("channel").asText()).isEqualTo("/slow/a");
                assertThat(bodies.pending()).isZero();
            }
        }
    }

    /** Publishes {@code count} messages on one keep-alive connection, each written in 1 to 4 pieces with pauses. */
    private static Map<String, List<Long>> publishSplit(int port, int connection, int count, Random random, String context) throws IOException {
        Map<String, List<Long>> offsets = new TreeMap<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < count; i++) {
                String channel = CHANNELS[random.nextInt(CHANNELS.length)];
                byte[] body = ("{\"channel\":\"" + channel + "\",\"data\":{\"connection\":" + connection + ",\"n\":" + i
                        + ",\"pad\":\"" + "x".repeat(random.nextInt(2000)) + "\"}}").getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                whole.write(head(body.length).getBytes(StandardCharsets.ISO_8859_1));
                int headLength = whole.size();
                whole.write(body);
                byte[] request = whole.toByteArray();
                // Cut points: often right after the headers (the body in a packet of its own), else anywhere.
                int pieces = 1 + random.nextInt(4);
                int from = 0;
                for (int p = 1; p <= pieces; p++) {
                    int to = p == pieces ? request.length
                            : p == 1 && random.nextBoolean() ? headLength
                            : Math.min(request.length - 1, from + 1 + random.nextInt(Math.max(1, (request.length - from) / 2)));
                    if (to <= from) {
                        continue;
                    }
                    out.write(request, from, to - from);
                    out.flush();
                    from = to;
                    if (p < pieces && random.nextInt(3) > 0) {
                        LockSupport.parkNanos(random.nextInt(3_000_000));
                    }
                }
                Answer answer = Answer.read(in);
                assertThat(answer.status).as("connection %d publish %d: %s (%s)", connection, i, answer.body, context).isEqualTo(200);
                JsonNode json = JSON.readTree(answer.body);
                assertThat(json.get("channel").asText()).isEqualTo(channel);
                offsets.computeIfAbsent(channel, c -> new ArrayList<>()).add(json.get("position").get("offset").asLong());
            }
        }
        return offsets;
    }

    private static String head(int length) {
        return "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** One HTTP/1.1 answer with a Content-Length, read off a keep-alive connection. */
    private record Answer(int status, String body) {

        static Answer read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + head.size() + " bytes of an answer's head: " + head);
                }
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            int length = -1;
            for (String line : lines) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("answer without Content-Length: " + head);
            }
            return new Answer(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }
}
