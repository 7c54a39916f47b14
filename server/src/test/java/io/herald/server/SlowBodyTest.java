package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Slow-body denial of service: clients that declare a body and send it a byte at a time must not take the
 * request threads that {@code /health} and the API need. Real sockets against a real server.
 */
@DisplayName("slow request bodies")
class SlowBodyTest {

    private static final int ATTACKERS = 450;
    private static final String HEAD = "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 80000\r\n\r\n{";

    @Test
    @DisplayName("/health and /api/stats answer within 1 s while 450 slow-body connections are held")
    void healthAnswersDuringTheAttack() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        List<Socket> sockets = new ArrayList<>();
        try (TestServer server = TestServer.start("--http-body-timeout", "60s")) {
            RequestBodies bodies = server.server().herald().injector().getInstance(RequestBodies.class);
            for (int i = 0; i < ATTACKERS; i++) {
                Socket socket = new Socket("127.0.0.1", server.server().port());
                socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                sockets.add(socket);
            }
            // One more byte on every connection each second: never idle, never done.
            trickle.scheduleAtFixedRate(() -> sockets.forEach(SlowBodyTest::sendOneByte), 1, 1, TimeUnit.SECONDS);
            int cap = server.server().settings().get(ServerSettings.MAX_PENDING_BODIES);
            await("every slow body is being received or refused").atMost(Duration.ofSeconds(20))
                    .until(() -> bodies.pending() == Math.min(cap, ATTACKERS));

            long slowest = 0;
            for (int round = 0; round < 20; round++) {
                for (String path : new String[] {"/health", "/api/stats"}) {
                    long start = System.nanoTime();
                    HttpResponse<String> answer = server.get(path);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(answer.statusCode()).as("%s during the attack", path).isEqualTo(200);
                    slowest = Math.max(slowest, millis);
                }
            }
            System.out.println("slowest /health or /api/stats answer during the slow-body attack: " + slowest + " ms");
            assertThat(slowest).as("slowest answer (ms) with %d slow bodies held", ATTACKERS).isLessThan(1000);
            assertThat(bodies.pending()).as("bodies still held after the measurements").isEqualTo(Math.min(cap, ATTACKERS));

            // Those beyond the cap were refused at once with a JSON 503 that says when to retry.
            Socket refused = sockets.get(ATTACKERS - 1);
            refused.setSoTimeout(10_000);
            String answer = new String(refused.getInputStream().readNBytes(300), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After: 1", "application/json", "too many request bodies");
        } finally {
            trickle.shutdownNow();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    @DisplayName("a body that trickles past http.body-timeout gets a JSON 408 and the connection is closed")
    void bodyDeadline() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (TestServer server = TestServer.start("--http-body-timeout", "1s");
             Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.ISO_8859_1));
            trickle.scheduleAtFixedRate(() -> sendOneByte(socket), 100, 100, TimeUnit.MILLISECONDS);

            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 408").contains("application/json", "\"status\":408", "not received within 1000 ms")
                    .doesNotContain("<html", "Exception");
            RequestBodies bodies = server.server().herald().injector().getInstance(RequestBodies.class);
            assertThat(bodies.pending()).isZero();
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    @DisplayName("a body that stalls past the idle timeout gets a JSON 408, not a 500 page")
    void idleTimeout() throws Exception {
        try (TestServer server = TestServer.start("--http-idle-timeout", "500ms", "--http-body-timeout", "30s");
             Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.ISO_8859_1));

            String answer = readAll(socket.getInputStream());
            assertThat(answer).satisfiesAnyOf(
                    closed -> assertThat(closed).isEmpty(),
                    refused -> assertThat(refused).startsWith("HTTP/1.1 408").contains("application/json"));
            assertThat(answer).doesNotContain("<html", "Exception", "HTTP/1.1 500");
        }
    }

    @Test
    @DisplayName("a body in flight when the server stops gets a JSON 503 at once, not a 500 page")
    void inFlightAtShutdown() throws Exception {
        TestServer server = TestServer.start("--http-stop-timeout", "30s");
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.ISO_8859_1));
            RequestBodies bodies = server.server().herald().injector().getInstance(RequestBodies.class);
            await("the body is being received").until(() -> bodies.pending() == 1);
            Thread stopping = new Thread(server::close, "stopping");
            stopping.start();

            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 503").contains("application/json", "the server is stopping")
                    .doesNotContain("<html", "Exception");
            stopping.join();
            assertThat(bodies.pending()).isZero();
        } finally {
            server.close();
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            // A reset after the answer: what was read before it is what counts, and a reset alone is a close.
            return "";
        }
    }

    private static void sendOneByte(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(' ');
            out.flush();
        } catch (IOException e) {
            // The server closed this one (refused or timed out): nothing more to send.
        }
    }
}
