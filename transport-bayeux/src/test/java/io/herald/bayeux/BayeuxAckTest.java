package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The CometD acknowledgement extension on the wire, over core's ack window (G4). */
class BayeuxAckTest {

    private static final ChannelName CHANNEL = ChannelName.of("/ack/a");
    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(BayeuxSettings.MAX_INTERVAL, "300ms").with(BayeuxSettings.ACK_WINDOW, "3"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private BayeuxTestClient ackClient() throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(server.bayeux());
        ObjectNode handshake = client.handshakeMessage();
        handshake.putObject("ext").put("ack", true);
        JsonNode reply = client.send(handshake).get(0);
        assertThat(reply.get("ext").get("ack").asBoolean()).isTrue();
        client.clientId = reply.get("clientId").asText();
        client.send(connect(client, -1, 0L));
        client.subscribe(CHANNEL.value());
        return client;
    }

    private static ObjectNode connect(BayeuxTestClient client, long ack, Long timeout) {
        ObjectNode connect = client.connectMessage(timeout);
        connect.putObject("ext").put("ack", ack);
        return connect;
    }

    private static List<String> data(ArrayNode response) {
        return deliveries(response).stream().map(m -> m.get("data").toString()).toList();
    }

    private void publish(int n) {
        server.herald.publish(CHANNEL, "{\"n\":" + n + "}");
    }

    @Test
    @DisplayName("a batch whose reply never reached the client is sent again when the next connect acks an older one")
    void lostBatchIsResent() throws Exception {
        BayeuxTestClient client = ackClient();
        publish(1);
        ArrayNode first = client.send(connect(client, -1, 0L));
        long batch = first.get(0).get("ext").get("ack").asLong();
        assertThat(data(first)).containsExactly("{\"n\":1}");
        // The client acks it and receives the next batch, whose reply is then lost.
        publish(2);
        ArrayNode lost = client.send(connect(client, batch, 0L));
        assertThat(data(lost)).containsExactly("{\"n\":2}");
        publish(3);
        ArrayNode again = client.send(connect(client, batch, 0L));
        assertThat(data(again)).containsExactly("{\"n\":2}", "{\"n\":3}");
        long next = again.get(0).get("ext").get("ack").asLong();
        assertThat(next).isGreaterThan(lost.get(0).get("ext").get("ack").asLong());
        publish(4);
        assertThat(data(client.send(connect(client, next, 0L)))).containsExactly("{\"n\":4}");
    }

    @Test
    @DisplayName("two overlapping connects (cometd#511): the older is answered empty with no batch number, nothing is lost")
    void overlappingConnects() throws Exception {
        BayeuxTestClient client = ackClient();
        CompletableFuture<ArrayNode> older = client.sendAsync(connect(client, -1, null));
        await().until(() -> server.server().local(client.clientId).isHolding());
        CompletableFuture<ArrayNode> newer = client.sendAsync(connect(client, -1, null));
        ArrayNode released = older.get(5, TimeUnit.SECONDS);
        assertThat(deliveries(released)).isEmpty();
        assertThat(released.get(0).path("ext").has("ack")).isFalse();
        await().until(() -> server.server().local(client.clientId).isHolding());
        publish(1);
        ArrayNode got = newer.get(5, TimeUnit.SECONDS);
        assertThat(data(got)).containsExactly("{\"n\":1}");
        // The newer reply is lost in the network too: acking nothing yet brings it back.
        ArrayNode again = client.send(connect(client, -1, 0L));
        assertThat(data(again)).containsExactly("{\"n\":1}");
    }

    @Test
    @DisplayName("unacked messages outlive the connection: after the node let go of the client, they come again first")
    void unackedOutlivesTheConnection() throws Exception {
        BayeuxTestClient client = ackClient();
        publish(1);
        assertThat(data(client.send(connect(client, -1, 0L)))).containsExactly("{\"n\":1}");
        await().until(() -> server.server().local(client.clientId) == null);
        publish(2);
        ArrayNode back = client.send(connect(client, -1, 0L));
        assertThat(data(back)).containsExactly("{\"n\":1}", "{\"n\":2}");
        long batch = back.get(0).get("ext").get("ack").asLong();
        publish(3);
        assertThat(data(client.send(connect(client, batch, 0L)))).containsExactly("{\"n\":3}");
    }

    @Test
    @DisplayName("a full window pauses delivery (the backlog stays in history) until the client acks")
    void windowPauses() throws Exception {
        BayeuxTestClient client = ackClient();
        for (int i = 0; i < 10; i++) {
            publish(i);
        }
        List<String> received = new ArrayList<>();
        long ack = -1;
        for (int round = 0; round < 10 && received.size() < 10; round++) {
            ArrayNode response = client.send(connect(client, ack, 0L));
            List<String> batch = data(response);
            assertThat(batch.size()).isLessThanOrEqualTo(3);
            received.addAll(batch);
            if (response.get(0).path("ext").has("ack")) {
                ack = response.get(0).get("ext").get("ack").asLong();
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("{\"n\":" + i + "}");
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }
}
