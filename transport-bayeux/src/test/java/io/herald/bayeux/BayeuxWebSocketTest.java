package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    @DisplayName("handshake, subscribe, connect and receive over one WebSocket (pushed while the connect is held); websocket is advertised first")
    void overWebSocket() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
        JsonNode handshake = socket.send(BayeuxTestClient.array(messages.handshakeMessage())).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
        assertThat(handshake.get("supportedConnectionTypes").get(0).asText()).isEqualTo("websocket");
        messages.clientId = handshake.get("clientId").asText();
        assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage("/ws/a"))).get(0).get("successful").asBoolean()).isTrue();
        assertThat(socket.send(BayeuxTestClient.array(messages.connectMessage(null))).get(0).get("successful").asBoolean()).isTrue();

        socket.ws.sendText(BayeuxTestClient.array(messages.connectMessage(null)), true);
        await().until(() -> server.server().local(messages.clientId).isHolding());
        server.herald.publish(ChannelName.of("/ws/a"), "{\"n\":1}");
        // The client acknowledges nothing: the message is pushed in a frame of its own, the connect stays held.
        ArrayNode frame = socket.next();
        assertThat(frame).hasSize(1);
        assertThat(frame.get(0).get("channel").asText()).isEqualTo("/ws/a");
        assertThat(frame.get(0).get("data").toString()).isEqualTo("{\"n\":1}");
        assertThat(frame.get(0).get("ext").get("herald").get("position").asText()).endsWith(":1");
        assertThat(server.server().local(messages.clientId).isHolding()).isTrue();
        assertThat(server.server().local(messages.clientId).connectionType()).isEqualTo("websocket");
        assertThat(server.server().stats().get("pushes")).isEqualTo(1L);

        // The client id is not tied to the socket: the same client continues over HTTP once the socket is gone.
        socket.ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
        await().until(() -> !server.server().local(messages.clientId).isHolding());
        server.herald.publish(ChannelName.of("/ws/a"), "{\"n\":2}");
        List<JsonNode> overHttp = new ArrayList<>(BayeuxTestClient.deliveries(messages.connect(0)));
        assertThat(overHttp).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":2}");
    }

    /** The listener demands each frame itself: a ping it answers must not leave the socket unread. */
    @Test
    @DisplayName("pings are answered with their payload, in order with the other frames, and the socket reads on")
    void pingsAreAnsweredAndTheSocketReadsOn() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
        for (int i = 0; i < 3; i++) {
            socket.ws.sendPing(java.nio.ByteBuffer.wrap(("p" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertThat(socket.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("p" + i);
        }
        JsonNode handshake = socket.send(BayeuxTestClient.array(messages.handshakeMessage())).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
        messages.clientId = handshake.get("clientId").asText();
        socket.ws.sendPing(java.nio.ByteBuffer.wrap("last".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage("/ws/ping"))).get(0).get("successful").asBoolean()).isTrue();
        assertThat(socket.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("last");
    }

    @Test
    @DisplayName("a frame that is not Bayeux closes the socket with 1003, and the server keeps serving")
    void badFrame() throws Exception {
        BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
        socket.ws.sendText("{not json", true);
        assertThat(socket.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);
        BayeuxTestSocket again = new BayeuxTestSocket(server.webSocket());
        JsonNode handshake = again.send(BayeuxTestClient.array(new BayeuxTestClient(server.bayeux()).handshakeMessage())).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
    }
}
