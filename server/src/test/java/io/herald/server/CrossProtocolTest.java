package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One channel space across protocols, on the server as it runs by default (SSE and STOMP mounted): a STOMP
 * SEND reaches an SSE stream and the HTTP history, and an HTTP publish reaches a STOMP subscriber, with the
 * payload unchanged. The STOMP side is the JDK's own WebSocket client speaking raw frames.
 */
@DisplayName("STOMP, SSE and the HTTP API share one channel space")
class CrossProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A STOMP client on the JDK WebSocket: each text message is one frame. */
    private static final class Stomp implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (!partial.toString().equals("\n")) {
                    frames.add(partial.toString());
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String frame) {
            socket.sendText(frame + "\0", true).join();
        }

        String next(String command) throws InterruptedException {
            String frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a STOMP frame").isNotNull();
            assertThat(frame).startsWith(command + "\n");
            return frame;
        }
    }

    private static Stomp stomp() throws Exception {
        Stomp stomp = new Stomp();
        URI uri = URI.create("ws://127.0.0.1:" + server.server().port() + "/stomp");
        stomp.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp", "v11.stomp")
                .buildAsync(uri, stomp).get(10, TimeUnit.SECONDS);
        assertThat(stomp.socket.getSubprotocol()).isEqualTo("v12.stomp");
        stomp.send("CONNECT\naccept-version:1.2\n\n");
        stomp.next("CONNECTED");
        return stomp;
    }

    @Test
    @DisplayName("a STOMP SEND is delivered to an SSE stream and kept in the HTTP history")
    void stompToSseAndHistory() throws Exception {
        BlockingQueue<String> sse = new LinkedBlockingQueue<>();
        HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(server.uri("/sse?channel=/cross/a")).build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
                    try (Stream<String> lines = response.body()) {
                        lines.forEach(sse::add);
                    }
                });
        // The stream's first event (its id) says it is subscribed.
        assertThat(sse.poll(10, TimeUnit.SECONDS)).isNotNull();
        Stomp stomp = stomp();
        stomp.send("SEND\ndestination:/topic/cross.a\ncontent-type:application/json\nreceipt:r1\n\n{\"x\":1}");
        stomp.next("RECEIPT");
        String data = null;
        while (data == null) {
            String line = sse.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("an SSE line").isNotNull();
            if (line.startsWith("data: {\"x\"")) {
                data = line;
            }
        }
        assertThat(data).isEqualTo("data: {\"x\":1}");
        JsonNode history = JSON.readTree(server.get("/api/history?channel=/cross/a").body());
        assertThat(history.get("messages")).hasSize(1);
        assertThat(history.get("messages").get(0).get("data").get("x").asInt()).isEqualTo(1);
        stomp.socket.abort();
    }

    @Test
    @DisplayName("an HTTP publish reaches a STOMP subscriber with its position")
    void httpToStomp() throws Exception {
        Stomp stomp = stomp();
        stomp.send("SUBSCRIBE\nid:sub-0\ndestination:/topic/cross.b\nreceipt:s\n\n");
        stomp.next("RECEIPT");
        HttpResponse<String> published = server.post("/api/publish", "{\"channel\":\"/cross/b\",\"data\":{\"y\":2}}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        JsonNode position = JSON.readTree(published.body()).get("position");
        String message = stomp.next("MESSAGE");
        assertThat(message).contains("\ndestination:/topic/cross.b\n", "\nsubscription:sub-0\n",
                "\nherald-position:" + position.get("epoch").asText() + "\\c" + position.get("offset").asLong() + "\n",
                "\ncontent-type:application/json\n");
        assertThat(message).endsWith("\n\n{\"y\":2}\0");
        stomp.socket.abort();
    }
}
