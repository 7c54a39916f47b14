package io.herald.bayeux;

import io.herald.testkit.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The npm {@code faye} client, unmodified, against Herald: handshake, wildcard subscribe, publish both ways,
 * receive; then its network is cut by a TCP proxy for a few seconds while messages are published over HTTP,
 * and after Faye's own reconnection (same client id) it has every message once, in order.
 */
class FayeInteropTest {

    private static Settings settings() {
        return Settings.defaults().with(BayeuxSettings.TIMEOUT, "3s");
    }

    /** The connection type faye picks: it prefers websocket when the server offers it and it is not disabled. */
    private static String[] options(String type) {
        return type.equals("websocket") ? new String[] {"websocket"} : new String[0];
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "websocket"})
    void wildcardSubscribePublishAndReceive(String type) throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(settings());
             NodeFaye faye = new NodeFaye(server.bayeux().toString(), "/interop/*", java.util.Map.of(), options(type))) {
            faye.next("subscribed");
            server.herald.publish(ChannelName.of("/interop/a"), "{\"from\":\"http\"}");
            server.herald.publish(ChannelName.of("/interop/a/deeper"), "{\"from\":\"not matched\"}");
            server.herald.publish(ChannelName.of("/interop/b"), "{\"from\":\"http\",\"n\":2}");
            assertThat(faye.messages(2)).containsExactly("{\"from\":\"http\"}", "{\"from\":\"http\",\"n\":2}");

            faye.publish("/interop/c", "{\"from\":\"faye\"}");
            assertThat(faye.next("published").get("channel").asText()).isEqualTo("/interop/c");
            // Delivered back to the publisher (it is subscribed), and stored in the channel's history.
            assertThat(faye.messages(1)).containsExactly("{\"from\":\"faye\"}");
            var history = server.herald.engine().history(ChannelName.of("/interop/c"), new Position(
                    server.herald.engine().head(ChannelName.of("/interop/c")).epoch(), 0), 10);
            assertThat(history.messages()).extracting(m -> m.payload().utf8()).containsExactly("{\"from\":\"faye\"}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "websocket"})
    void afterTheNetworkIsCutFayeReconnectsAndGetsEveryMessageOnceInOrder(String type) throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(settings());
             TcpProxy proxy = new TcpProxy(server.uri.getPort());
             NodeFaye faye = new NodeFaye("http://127.0.0.1:" + proxy.port() + "/bayeux", "/cut/**", java.util.Map.of(), options(type))) {
            String clientId = faye.next("handshake").get("clientId").asText();
            faye.next("subscribed");
            await().until(() -> server.server().local(clientId).connectionType().equals(type));
            ChannelName channel = ChannelName.of("/cut/x/y");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                server.herald.publish(channel, "{\"n\":" + i + "}");
                expected.add("{\"n\":" + i + "}");
            }
            List<String> received = new ArrayList<>(faye.messages(5));
            await().until(() -> server.server().local(clientId).isHolding());

            proxy.down();
            // The server notices the held connect's client is gone, so nothing is written into a dead link.
            await().until(() -> !server.server().local(clientId).isHolding());
            for (int i = 5; i < 15; i++) {
                server.herald.publish(channel, "{\"n\":" + i + "}");
                expected.add("{\"n\":" + i + "}");
            }
            await().pollDelay(Duration.ofSeconds(2)).until(() -> true); // the network stays down a while
            proxy.up();

            received.addAll(faye.messages(10));
            server.herald.publish(channel, "{\"n\":15}");
            expected.add("{\"n\":15}");
            received.addAll(faye.messages(1));
            assertThat(received).containsExactlyElementsOf(expected);
            assertThat(server.server().stats().get("handshakes")).isEqualTo(1L);
        }
    }
}
