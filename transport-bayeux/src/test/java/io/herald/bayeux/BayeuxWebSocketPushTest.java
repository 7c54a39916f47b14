package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deliveries pushed on the WebSocket of a client that acknowledges nothing, outside connect replies: which
 * clients get them, order and one copy under concurrency, a new socket after the old one closed, and a stalled
 * socket (bounded memory).
 */
class BayeuxWebSocketPushTest {


    /** Handshakes over {@code socket} ({@code ext.ack} when asked) and sends the first connect, answered at once. */
    private static BayeuxTestClient handshake(BayeuxTestServer server, BayeuxTestSocket socket, boolean ack) throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        ObjectNode handshake = messages.handshakeMessage();
        if (ack) {
            handshake.putObject("ext").put("ack", true);
        }
        JsonNode reply = socket.send(BayeuxTestClient.array(handshake)).get(0);
        assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        messages.clientId = reply.get("clientId").asText();
        assertThat(socket.send(BayeuxTestClient.array(websocketConnect(messages, 0L))).get(0).get("successful").asBoolean()).isTrue();
        return messages;
    }

    private static ObjectNode websocketConnect(BayeuxTestClient messages, Long timeout) {
        ObjectNode connect = messages.connectMessage(timeout);
        connect.put("connectionType", "websocket");
        return connect;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ack-extension", "position-acks", "push-off"})
    @DisplayName("a client that acknowledges, or a server with bayeux.websocket-push off, gets deliveries in connect replies only")
    void acknowledgingClientsGetDeliveriesInConnectReplies(String kind) throws Exception {
        Settings settings = Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s");
        if (kind.equals("push-off")) {
            settings = settings.with(BayeuxSettings.WEBSOCKET_PUSH, "false");
        }
        try (BayeuxTestServer server = new BayeuxTestServer(settings)) {
            BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = handshake(server, socket, kind.equals("ack-extension"));
            assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage("/pa/a"))).get(0).get("successful").asBoolean()).isTrue();
            ObjectNode connect = websocketConnect(messages, null);
            if (kind.equals("position-acks")) {
                connect.putObject("ext").putObject("herald").putObject("ack");
            }
            socket.ws.sendText(BayeuxTestClient.array(connect), true);
            await().until(() -> server.server().local(messages.clientId).isHolding());
            server.herald.publish(ChannelName.of("/pa/a"), "{\"n\":1}");
            ArrayNode frame = socket.next();
            assertThat(frame.get(0).get("channel").asText()).isEqualTo("/meta/connect");
            assertThat(BayeuxTestClient.deliveries(frame)).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":1}");
            assertThat(server.server().stats().get("pushes")).isEqualTo(0L);
        }
    }

    @Test
    @DisplayName("after its socket closed, a client connecting on a new socket gets what was published meanwhile, then pushes there")
    void aNewSocketTakesOver() throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s"))) {
            BayeuxTestSocket first = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = handshake(server, first, false);
            first.send(BayeuxTestClient.array(messages.subscribeMessage("/pn/a")));
            first.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
            await().until(() -> server.server().local(messages.clientId).isHolding());
            server.herald.publish(ChannelName.of("/pn/a"), "{\"n\":1}");
            assertThat(first.next().get(0).get("data").toString()).isEqualTo("{\"n\":1}");

            first.ws.sendClose(1000, "reload").get(5, TimeUnit.SECONDS);
            await().until(() -> !server.server().local(messages.clientId).isHolding());
            server.herald.publish(ChannelName.of("/pn/a"), "{\"n\":2}");
            server.herald.publish(ChannelName.of("/pn/a"), "{\"n\":3}");

            // CometD's reload extension: a connect with the old client id on a new socket, no handshake.
            BayeuxTestSocket second = new BayeuxTestSocket(server.webSocket());
            ArrayNode reply = second.send(BayeuxTestClient.array(websocketConnect(messages, null)));
            assertThat(reply.get(0).get("successful").asBoolean()).isTrue();
            assertThat(BayeuxTestClient.deliveries(reply)).extracting(m -> m.get("data").toString())
                    .containsExactly("{\"n\":2}", "{\"n\":3}");
            second.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
            await().until(() -> server.server().local(messages.clientId).isHolding());
            server.herald.publish(ChannelName.of("/pn/a"), "{\"n\":4}");
            ArrayNode pushed = second.next();
            assertThat(pushed).hasSize(1);
            assertThat(pushed.get(0).get("data").toString()).isEqualTo("{\"n\":4}");
            assertThat(first.frames).isEmpty();
        }
    }

    @Test
    @DisplayName("a socket that stops reading is not pushed to without bound: its outbox fills and it is cut off (G6)")
    void aStalledSocketIsCutOff() throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "30s")
                .with(CoreSettings.SUBSCRIBER_QUEUE, "16"))) {
            BayeuxTestSocket reader = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = handshake(server, reader, false);
            reader.send(BayeuxTestClient.array(messages.subscribeMessage("/pc/a")));
            reader.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
            await().until(() -> server.server().local(messages.clientId).isHolding());
            // From here the client reads one more frame and then nothing: the server's writes back up in TCP.
            BayeuxTestSocket stalled = new BayeuxTestSocket(server.webSocket(), false);
            stalled.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
            await().until(() -> server.server().local(messages.clientId) != null
                    && server.server().local(messages.clientId).isHolding() && !reader.frames.isEmpty());
            String pad = "x".repeat(60_000);
            for (int i = 0; i < 600 && server.server().local(messages.clientId) != null; i++) {
                server.herald.publish(ChannelName.of("/pc/a"), "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> (Long) server.server().stats().get("cutOffs") == 1L);
            // Far fewer pushes than messages: one in flight at a time, the rest waited in the bounded outbox.
            assertThat((Long) server.server().stats().get("pushes")).isLessThan(600L);
        }
    }

    @Test
    @DisplayName("stress: pushes interleaved with connect replies, overlapping subscriptions, many publishers: every message once, in order per channel")
    void everyMessageOnceInOrderPerChannel() throws Exception {
        long seed = System.nanoTime();
        List<String> channels = List.of("/ps/a", "/ps/b", "/ps/c");
        List<List<String>> subscriptions = List.of(List.of("/ps/a", "/ps/b", "/ps/c"), List.of("/ps/*"),
                List.of("/ps/*", "/ps/**", "/ps/a"), List.of("/ps/**", "/ps/b"));
        int publishers = 4;
        int perPublisher = 150;
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "200ms"))) {
            ExecutorService pool = Executors.newCachedThreadPool();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Map<String, List<Long>>> received = new ArrayList<>();
            List<Future<?>> readers = new ArrayList<>();
            for (int c = 0; c < subscriptions.size() * 2; c++) {
                Random random = new Random(seed + c);
                BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
                BayeuxTestClient messages = handshake(server, socket, false);
                ArrayNode reply = socket.send(BayeuxTestClient.array(messages.subscribeMessage(
                        subscriptions.get(c % subscriptions.size()).toArray(String[]::new))));
                assertThat(reply.get(0).get("successful").asBoolean()).as(reply.toString()).isTrue();
                Map<String, List<Long>> offsets = new ConcurrentHashMap<>();
                received.add(offsets);
                socket.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
                readers.add(pool.submit(() -> {
                    while (running.get()) {
                        ArrayNode frame = socket.frames.poll(100, TimeUnit.MILLISECONDS);
                        if (frame == null) {
                            continue;
                        }
                        boolean connectReply = false;
                        for (JsonNode m : frame) {
                            if (m.has("data")) {
                                String at = m.get("ext").get("herald").get("position").asText();
                                offsets.computeIfAbsent(m.get("channel").asText(), k -> Collections.synchronizedList(new ArrayList<>()))
                                        .add(Long.parseLong(at.substring(at.lastIndexOf(':') + 1)));
                            } else if (m.get("channel").asText().equals("/meta/connect")) {
                                assertThat(m.get("successful").asBoolean()).as(m.toString()).isTrue();
                                connectReply = true;
                            }
                        }
                        if (connectReply) {
                            LockSupport.parkNanos(random.nextInt(3_000_000)); // jitter, not a wait
                            // Now and then a connect answered at once, whose reply carries what is queued beside the pushes.
                            socket.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, random.nextInt(3) == 0 ? 0L : null)), true);
                        }
                    }
                    return null;
                }));
            }
            Map<String, AtomicInteger> published = new ConcurrentHashMap<>();
            channels.forEach(ch -> published.put(ch, new AtomicInteger()));
            List<Future<?>> publishing = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                Random random = new Random(seed - p - 1);
                publishing.add(pool.submit(() -> {
                    for (int n = 0; n < perPublisher; n++) {
                        String channel = channels.get(random.nextInt(channels.size()));
                        server.herald.publish(ChannelName.of(channel), "{\"n\":" + n + "}");
                        published.get(channel).incrementAndGet();
                        LockSupport.parkNanos(random.nextInt(1_000_000)); // jitter, not a wait
                    }
                    return null;
                }));
            }
            for (Future<?> p : publishing) {
                p.get(2, TimeUnit.MINUTES);
            }
            int total = publishers * perPublisher;
            await().atMost(Duration.ofSeconds(60)).until(() -> received.stream().allMatch(
                    r -> r.values().stream().mapToInt(List::size).sum() >= total));
            for (int c = 0; c < received.size(); c++) {
                for (String channel : channels) {
                    List<Long> expected = new ArrayList<>();
                    for (long o = 1; o <= published.get(channel).get(); o++) {
                        expected.add(o);
                    }
                    assertThat(received.get(c).getOrDefault(channel, List.of()))
                            .as("client %d (%s) on %s, seed %d", c, subscriptions.get(c % subscriptions.size()), channel, seed)
                            .containsExactlyElementsOf(expected);
                }
            }
            assertThat((Long) server.server().stats().get("pushes")).as("seed %d", seed).isPositive();
            running.set(false);
            for (Future<?> r : readers) {
                r.get(10, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pushed", "connect-replies"})
    @DisplayName("a burst goes in frames of at most 64 KiB (CometD's default limit), in order, once each; a message larger than that goes alone")
    void framesStayWithinWhatStockClientsTake(String path) throws Exception {
        Settings settings = Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s")
                .with(CoreSettings.SUBSCRIBER_QUEUE, "100000").with(CoreSettings.PUBLISH_MAX_PAYLOAD, "200KiB");
        if (path.equals("connect-replies")) {
            settings = settings.with(BayeuxSettings.WEBSOCKET_PUSH, "false");
        }
        try (BayeuxTestServer server = new BayeuxTestServer(settings)) {
            BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = handshake(server, socket, false);
            socket.send(BayeuxTestClient.array(messages.subscribeMessage("/pf/a")));
            socket.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
            await().until(() -> server.server().local(messages.clientId).isHolding());
            assertThat(socket.frames).isEmpty();
            socket.lengths.clear(); // those of the frames read during the handshake
            int total = 3_000;
            int large = 1_500;
            for (int i = 0; i < total; i++) {
                String pad = "x".repeat(i == large ? 100 * 1024 : 40 + i % 60);
                server.herald.publish(ChannelName.of("/pf/a"), "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
            }
            List<Integer> received = new ArrayList<>();
            int frames = 0;
            while (received.size() < total) {
                ArrayNode frame = socket.next();
                int length = socket.lengths.take();
                frames++;
                List<JsonNode> deliveries = BayeuxTestClient.deliveries(frame);
                deliveries.forEach(d -> received.add(d.get("data").get("n").asInt()));
                if (deliveries.size() > 1) {
                    assertThat(length).as("frame %d, %d deliveries", frames, deliveries.size()).isLessThanOrEqualTo(64 * 1024);
                } else if (deliveries.size() == 1 && deliveries.get(0).get("data").get("n").asInt() == large) {
                    assertThat(length).as("the large message alone in its frame").isGreaterThan(100 * 1024);
                }
                boolean answeredConnect = false;
                for (JsonNode m : frame) {
                    answeredConnect |= m.path("channel").asText().equals("/meta/connect");
                }
                if (answeredConnect) {
                    // Over connect replies the client asks for the rest at once, as Faye and CometD do.
                    socket.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, received.size() < total ? 0L : null)), true);
                }
            }
            assertThat(received).containsExactlyElementsOf(java.util.stream.IntStream.range(0, total).boxed().toList());
            assertThat(frames).as("about 300 KB cannot fit in fewer than five 64 KiB frames").isGreaterThanOrEqualTo(5);
            assertThat((Long) server.server().stats().get("cutOffs")).isZero();
        }
    }
}
