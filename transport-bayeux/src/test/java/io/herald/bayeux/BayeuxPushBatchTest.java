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
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Batching on the push path (no acknowledgements, WebSocket): what is queued for a client when its writer runs
 * leaves in one frame, and under concurrent publishers with readers slow enough for batches to form, every
 * message arrives once and in order on every connection.
 */
class BayeuxPushBatchTest {


    private static ObjectNode websocketConnect(BayeuxTestClient messages, Long timeout) {
        ObjectNode connect = messages.connectMessage(timeout);
        connect.put("connectionType", "websocket");
        return connect;
    }

    /** Handshakes, subscribes to {@code channel} and leaves a connect held: deliveries are pushed from then on. */
    private static BayeuxTestClient subscribed(BayeuxTestServer server, BayeuxTestSocket socket, String channel) throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        JsonNode reply = socket.send(BayeuxTestClient.array(messages.handshakeMessage())).get(0);
        messages.clientId = reply.get("clientId").asText();
        assertThat(socket.send(BayeuxTestClient.array(websocketConnect(messages, 0L))).get(0).get("successful").asBoolean()).isTrue();
        assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage(channel))).get(0).get("successful").asBoolean()).isTrue();
        socket.ws.sendText(BayeuxTestClient.array(websocketConnect(messages, null)), true);
        await().until(() -> server.server().local(messages.clientId).isHolding());
        return messages;
    }

    @Test
    @DisplayName("messages queued while the client's writer is busy leave in one pushed frame, all of them, in order")
    void queuedMessagesLeaveInOneFrame() throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "30s"))) {
            BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = subscribed(server, socket, "/pb/a");
            BayeuxClient client = server.server().local(messages.clientId);
            long pushesBefore = (Long) server.server().stats().get("pushes");
            // The client's writer thread is kept busy while five messages queue for it.
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            server.server().threads.write(System.identityHashCode(client), () -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            for (int n = 1; n <= 5; n++) {
                server.herald.publish(ChannelName.of("/pb/a"), "{\"n\":" + n + "}");
            }
            await().until(() -> client.connection().queued() == 5);
            release.countDown();
            ArrayNode frame = socket.next();
            assertThat(BayeuxTestClient.deliveries(frame)).extracting(m -> m.get("data").get("n").asInt())
                    .containsExactly(1, 2, 3, 4, 5);
            assertThat(frame).as("a push carries deliveries only").hasSize(5);
            assertThat((Long) server.server().stats().get("pushes") - pushesBefore).isEqualTo(1L);
            assertThat(socket.frames).isEmpty();
        }
    }

    @Test
    @DisplayName("stress: concurrent publishers on one channel, slow readers: every message once, in channel order, on each connection; batches formed (seeded)")
    void orderPerConnectionUnderConcurrentPublishes() throws Exception {
        for (long seed : new long[] {7L, 20261205L}) {
            Random random = new Random(seed);
            int clients = 6;
            int publishers = 4;
            int perPublisher = 250;
            try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "30s")
                    .with(CoreSettings.SUBSCRIBER_QUEUE, "100000"))) {
                List<BayeuxTestSocket> sockets = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
                    subscribed(server, socket, "/pb/s");
                    sockets.add(socket);
                }
                ExecutorService pool = Executors.newCachedThreadPool();
                List<Future<List<long[]>>> readers = new ArrayList<>();
                int total = publishers * perPublisher;
                for (int c = 0; c < clients; c++) {
                    BayeuxTestSocket socket = sockets.get(c);
                    Random r = new Random(random.nextLong());
                    // Per frame: its number of deliveries; per delivery: the channel offset and (publisher, n).
                    readers.add(pool.submit(() -> {
                        List<long[]> got = new ArrayList<>();
                        int received = 0;
                        while (received < total) {
                            ArrayNode frame = socket.next();
                            List<JsonNode> deliveries = BayeuxTestClient.deliveries(frame);
                            got.add(new long[] {-1, deliveries.size()});
                            for (JsonNode d : deliveries) {
                                String at = d.get("ext").get("herald").get("position").asText();
                                got.add(new long[] {Long.parseLong(at.substring(at.lastIndexOf(':') + 1)),
                                        d.get("data").get("p").asLong(), d.get("data").get("n").asLong()});
                                received++;
                            }
                            LockSupport.parkNanos(r.nextInt(2_000_000)); // a slow reader: pushes back up, batches form
                        }
                        return got;
                    }));
                }
                List<Future<?>> publishing = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    int publisher = p;
                    Random r = new Random(random.nextLong());
                    publishing.add(pool.submit(() -> {
                        for (int n = 0; n < perPublisher; n++) {
                            server.herald.publish(ChannelName.of("/pb/s"), "{\"p\":" + publisher + ",\"n\":" + n + "}");
                            if (r.nextInt(4) == 0) {
                                LockSupport.parkNanos(r.nextInt(300_000)); // jitter, not a wait
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> p : publishing) {
                    p.get(2, TimeUnit.MINUTES);
                }
                int batched = 0;
                for (int c = 0; c < clients; c++) {
                    List<long[]> got = readers.get(c).get(2, TimeUnit.MINUTES);
                    long offset = 0;
                    long[] next = new long[publishers];
                    for (long[] item : got) {
                        if (item[0] < 0) {
                            batched += item[1] > 1 ? 1 : 0;
                            continue;
                        }
                        assertThat(item[0]).as("seed %d, client %d: channel offsets once, in order", seed, c).isEqualTo(++offset);
                        int p = (int) item[1];
                        assertThat(item[2]).as("seed %d, client %d: publisher %d's messages in its order", seed, c, p).isEqualTo(next[p]++);
                    }
                    assertThat(offset).as("seed %d, client %d", seed, c).isEqualTo(total);
                }
                assertThat(batched).as("seed %d: frames carrying several deliveries", seed).isPositive();
                assertThat(sockets.stream().allMatch(s -> s.frames.isEmpty())).as("no frame beyond the messages").isTrue();
                pool.shutdownNow();
            }
        }
    }
}
