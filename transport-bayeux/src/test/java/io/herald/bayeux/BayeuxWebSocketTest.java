package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The websocket connection type on the Bayeux path, with the JDK's WebSocket client. */
class BayeuxWebSocketTest {

    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A WebSocket that queues every frame it receives as a JSON array. */
    private static final class Socket implements WebSocket.Listener {
        final BlockingQueue<ArrayNode> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final WebSocket ws;
        private final StringBuilder partial = new StringBuilder();

        Socket(URI uri) throws Exception {
            ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).get(5, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add((ArrayNode) BayeuxTestClient.JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        ArrayNode send(String text) throws Exception {
            ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            return next();
        }

        ArrayNode next() throws InterruptedException {
            ArrayNode frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }
    }

    private URI ws() {
        return URI.create("ws://127.0.0.1:" + server.uri.getPort() + "/bayeux");
    }

    @Test
    @DisplayName("handshake, subscribe, connect and receive over one WebSocket; websocket is advertised first")
    void overWebSocket() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        Socket socket = new Socket(ws());
        JsonNode handshake = socket.send(BayeuxTestClient.array(messages.handshakeMessage())).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
        assertThat(handshake.get("supportedConnectionTypes").get(0).asText()).isEqualTo("websocket");
        messages.clientId = handshake.get("clientId").asText();
        assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage("/ws/a"))).get(0).get("successful").asBoolean()).isTrue();
        assertThat(socket.send(BayeuxTestClient.array(messages.connectMessage(null))).get(0).get("successful").asBoolean()).isTrue();

        socket.ws.sendText(BayeuxTestClient.array(messages.connectMessage(null)), true);
        server.herald.publish(ChannelName.of("/ws/a"), "{\"n\":1}");
        ArrayNode frame = socket.next();
        assertThat(frame.get(0).get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(frame.get(1).get("data").toString()).isEqualTo("{\"n\":1}");
        assertThat(server.server().local(messages.clientId).connectionType()).isEqualTo("websocket");

        // The client id is not tied to the socket: the same client continues over HTTP.
        server.herald.publish(ChannelName.of("/ws/a"), "{\"n\":2}");
        List<JsonNode> overHttp = new ArrayList<>(BayeuxTestClient.deliveries(messages.connect(0)));
        assertThat(overHttp).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":2}");
    }

    @Test
    @DisplayName("a frame that is not Bayeux closes the socket with 1003, and the server keeps serving")
    void badFrame() throws Exception {
        Socket socket = new Socket(ws());
        socket.ws.sendText("{not json", true);
        assertThat(socket.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);
        Socket again = new Socket(ws());
        JsonNode handshake = again.send(BayeuxTestClient.array(new BayeuxTestClient(server.bayeux()).handshakeMessage())).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
    }
}
