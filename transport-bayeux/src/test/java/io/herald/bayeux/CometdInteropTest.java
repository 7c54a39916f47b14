package io.herald.bayeux;

import io.herald.testkit.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.cometd.client.BayeuxClient;
import org.cometd.client.ext.AckExtension;
import org.cometd.client.http.jetty.JettyHttpClientTransport;
import org.cometd.client.transport.ClientTransport;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.component.LifeCycle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real CometD 9 Java client, unmodified, with its acknowledgement extension on, over long polling and over
 * websocket, subscribed to the channel itself or to a wildcard pattern over it. Its network first swallows a connect reply carrying a batch (the server wrote it, the client never
 * gets it), then goes down while more messages are published, then comes back: after CometD's own reconnection
 * with the same client id, every message arrives exactly once, in order. Without the extension, over websocket,
 * it takes the deliveries the server pushes between connects.
 */
class CometdInteropTest {

    private static final ChannelName CHANNEL = ChannelName.of("/cometd/acked");

    @ParameterizedTest
    @CsvSource({"long-polling, /cometd/acked", "websocket, /cometd/acked", "long-polling, /cometd/*", "websocket, /cometd/**"})
    void killAndResumeLosesNothingAndDuplicatesNothing(String type, String subscription) throws Exception {
        HttpClient http = new HttpClient();
        http.start();
        WebSocketContainer ws = type.equals("websocket") ? ContainerProvider.getWebSocketContainer() : null;
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "3s"));
             TcpProxy proxy = new TcpProxy(server.uri.getPort())) {
            ClientTransport transport = ws != null ? new WebSocketTransport(new java.util.HashMap<>(), null, ws) : new JettyHttpClientTransport(new java.util.HashMap<>(), http);
            BayeuxClient client = new BayeuxClient("http://127.0.0.1:" + proxy.port() + "/bayeux", transport);
            client.setOption(BayeuxClient.BACKOFF_INCREMENT_OPTION, 200L);
            client.setOption(BayeuxClient.MAX_BACKOFF_OPTION, 1000L);
            client.addExtension(new AckExtension());
            List<Long> received = handshakeAndSubscribe(client, subscription);
            String clientId = client.getId();
            await().until(() -> server.server().local(clientId) != null && type.equals(server.server().local(clientId).connectionType()));
            assertThat(server.server().local(clientId).ack()).isTrue();

            publish(server, 0, 5);
            await().until(() -> received.size() == 5);

            // The network dies with a batch in flight: the server writes it, the client never sees it.
            await().until(() -> server.server().local(clientId).isHolding());
            long delivered = (Long) server.server().stats().get("delivered");
            proxy.swallow();
            publish(server, 5, 10);
            await().until(() -> (Long) server.server().stats().get("delivered") > delivered);
            proxy.down();
            publish(server, 10, 15);
            await().pollDelay(Duration.ofSeconds(2)).until(() -> true); // the network stays down a while
            proxy.up();

            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 15);
            publish(server, 15, 16);
            await().until(() -> received.size() >= 16);
            assertThat(received).containsExactlyElementsOf(IntStream.range(0, 16).mapToObj(Long::valueOf).toList());
            assertThat(client.getId()).isEqualTo(clientId);
            assertThat((Long) server.server().stats().get("batchesResent")).isPositive();
            assertThat(client.disconnect(5000)).isTrue();
        } finally {
            http.stop();
            if (ws != null) {
                LifeCycle.stop(ws);
            }
        }
    }

    @Test
    @DisplayName("without acks over websocket, CometD takes the deliveries pushed between connects; a cut loses nothing published while down")
    void withoutAcksDeliveriesArePushedAndACutLosesNothing() throws Exception {
        WebSocketContainer ws = ContainerProvider.getWebSocketContainer();
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s"));
             TcpProxy proxy = new TcpProxy(server.uri.getPort())) {
            BayeuxClient client = new BayeuxClient("http://127.0.0.1:" + proxy.port() + "/bayeux",
                    new WebSocketTransport(new java.util.HashMap<>(), null, ws));
            client.setOption(BayeuxClient.BACKOFF_INCREMENT_OPTION, 200L);
            client.setOption(BayeuxClient.MAX_BACKOFF_OPTION, 1000L);
            List<Long> received = handshakeAndSubscribe(client, CHANNEL.value());
            String clientId = client.getId();
            await().until(() -> server.server().local(clientId) != null && server.server().local(clientId).isHolding());
            assertThat(server.server().local(clientId).ack()).isFalse();

            publish(server, 0, 5);
            await().until(() -> received.size() == 5);
            // They came while the connect stayed held: pushed, not in connect replies.
            assertThat((Long) server.server().stats().get("pushes")).isPositive();
            assertThat(server.server().local(clientId).isHolding()).isTrue();

            proxy.down();
            // The server notices the socket is gone, so nothing is pushed into a dead link.
            await().until(() -> !server.server().local(clientId).isHolding());
            publish(server, 5, 15);
            await().pollDelay(Duration.ofSeconds(2)).until(() -> true); // the network stays down a while
            proxy.up();

            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 15);
            publish(server, 15, 16);
            await().until(() -> received.size() >= 16);
            assertThat(received).containsExactlyElementsOf(IntStream.range(0, 16).mapToObj(Long::valueOf).toList());
            assertThat(client.getId()).isEqualTo(clientId);
            assertThat(client.disconnect(5000)).isTrue();
        } finally {
            LifeCycle.stop(ws);
        }
    }

    /** Handshakes and subscribes to {@code subscription}; the list gets each message's {@code n}, as it arrives. */
    private static List<Long> handshakeAndSubscribe(BayeuxClient client, String subscription) throws InterruptedException {
        List<Long> received = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        client.handshake(reply -> {
            if (reply.isSuccessful()) {
                client.getChannel(subscription).subscribe((channel, message) ->
                        received.add(((Number) message.getDataAsMap().get("n")).longValue()), r -> subscribed.countDown());
            }
        });
        assertThat(subscribed.await(10, TimeUnit.SECONDS)).as("subscribed to %s", subscription).isTrue();
        return received;
    }

    private static void publish(BayeuxTestServer server, int from, int to) {
        for (int i = from; i < to; i++) {
            server.herald.publish(CHANNEL, "{\"n\":" + i + "}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    @DisplayName("without acks, a burst larger than CometD's default limits (64 KiB per WebSocket frame, 1 MiB per HTTP response) arrives whole, in order, on one session")
    void aBurstArrivesInResponsesCometdCanTake(String type) throws Exception {
        // CometD's defaults: 64 KiB text messages over WebSocket, 1 MiB responses over HTTP.
        WebSocketContainer ws = type.equals("websocket") ? ContainerProvider.getWebSocketContainer() : null;
        HttpClient http = new HttpClient();
        http.start();
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s")
                .with(io.herald.core.config.CoreSettings.HISTORY_SIZE, "30000"))) {
            ClientTransport transport = ws != null ? new WebSocketTransport(new java.util.HashMap<>(), null, ws)
                    : new JettyHttpClientTransport(new java.util.HashMap<>(), http);
            BayeuxClient client = new BayeuxClient(server.bayeux().toString(), transport);
            List<Long> received = handshakeAndSubscribe(client, CHANNEL.value());
            String clientId = client.getId();
            await().until(() -> server.server().local(clientId) != null && server.server().local(clientId).isHolding());
            // As fast as the publisher goes: while one push or reply is in flight the rest queues (and overflows the
            // subscriber queue: the client is cut off and resumes from history), 20,000 x ~80 bytes in all.
            int total = 20_000;
            for (int i = 0; i < total; i++) {
                server.herald.publish(CHANNEL, "{\"n\":" + i + ",\"text\":\"a message of some ordinary length\"}");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= total);
            assertThat(received).containsExactlyElementsOf(IntStream.range(0, total).mapToObj(Long::valueOf).toList());
            assertThat(client.getId()).as("the client kept its session: no response made it drop the link").isEqualTo(clientId);
            if (ws != null) {
                assertThat((Long) server.server().stats().get("pushes")).as("pushes carry several messages each").isLessThan(total);
            }
            assertThat(client.disconnect(5000)).isTrue();
        } finally {
            LifeCycle.stop(ws);
            http.stop();
        }
    }
}
