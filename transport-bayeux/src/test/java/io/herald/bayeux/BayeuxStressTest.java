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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Many publishers and many clients at random moments: plain clients with overlapping subscriptions (one copy per
 * publish), clients that pause past {@code max-interval} (the node lets them go and they resume from the store),
 * CometD-ack clients that lose replies, and position-ack clients (Herald's Faye extension on the wire) that lose
 * replies. Every client ends up with every message exactly once, in position order.
 */
class BayeuxStressTest {

    private static final ChannelName CHANNEL = ChannelName.of("/st/a");
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 150;
    private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;

    private enum Kind { PLAIN, OVERLAPPING, PAUSING, ACK, POSITIONS }

    @Test
    void everyClientGetsEveryMessageOnceInOrder() throws Exception {
        long seed = System.nanoTime();
        System.out.println("BayeuxStressTest seed " + seed);
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "300ms")
                .with(BayeuxSettings.MAX_INTERVAL, "200ms").with(CoreSettings.HISTORY_SIZE, "2000"))) {
            ExecutorService pool = Executors.newCachedThreadPool();
            AtomicBoolean publishing = new AtomicBoolean(true);
            List<Kind> kinds = List.of(Kind.PLAIN, Kind.OVERLAPPING, Kind.OVERLAPPING, Kind.PAUSING, Kind.ACK, Kind.ACK,
                    Kind.POSITIONS, Kind.POSITIONS);
            List<Future<List<Long>>> clients = new ArrayList<>();
            for (int i = 0; i < kinds.size(); i++) {
                Kind kind = kinds.get(i);
                Random random = new Random(seed + i);
                BayeuxTestClient client = new BayeuxTestClient(server.bayeux());
                String start = handshake(client, kind);
                clients.add(pool.submit(() -> receive(client, kind, random, publishing, start)));
            }
            List<Future<?>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Random random = new Random(seed - p - 1);
                BayeuxTestClient bayeux = new BayeuxTestClient(server.bayeux()).handshake();
                publishers.add(pool.submit(() -> {
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                        String json = "{\"p\":" + publisher + ",\"n\":" + n + "}";
                        if (publisher % 2 == 0) {
                            server.herald.publish(CHANNEL, json);
                        } else {
                            JsonNode reply = bayeux.publish(CHANNEL.value(), json);
                            assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
                        }
                        LockSupport.parkNanos(random.nextInt(2_000_000)); // jitter, not a wait
                    }
                    return null;
                }));
            }
            for (Future<?> publisher : publishers) {
                publisher.get(2, TimeUnit.MINUTES);
            }
            publishing.set(false);
            List<Long> all = new ArrayList<>();
            for (long offset = 1; offset <= TOTAL; offset++) {
                all.add(offset);
            }
            for (int i = 0; i < clients.size(); i++) {
                List<Long> offsets = clients.get(i).get(2, TimeUnit.MINUTES);
                assertThat(offsets).as("client %d (%s), seed %d", i, kinds.get(i), seed).containsExactlyElementsOf(all);
            }
            pool.shutdownNow();
        }
    }

    /** Handshakes and subscribes; returns where the channel starts, as the subscribe reply says. */
    private static String handshake(BayeuxTestClient client, Kind kind) throws Exception {
        ObjectNode handshake = client.handshakeMessage();
        if (kind == Kind.ACK) {
            handshake.putObject("ext").put("ack", true);
        }
        client.clientId = client.send(handshake).get(0).get("clientId").asText();
        client.connect(0);
        JsonNode reply = kind == Kind.OVERLAPPING ? client.subscribe(CHANNEL.value(), "/st/*") : client.subscribe(CHANNEL.value());
        return reply.get("ext").get("herald").get("positions").get(CHANNEL.value()).asText();
    }

    /** Connects until every message arrived (or the time is up); returns the offsets in the order received. */
    private static List<Long> receive(BayeuxTestClient client, Kind kind, Random random, AtomicBoolean publishing, String start)
            throws Exception {
        List<Long> offsets = Collections.synchronizedList(new ArrayList<>());
        long ack = -1;
        String position = start;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((publishing.get() || offsets.size() < TOTAL) && System.nanoTime() < deadline) {
            ObjectNode connect = client.connectMessage(random.nextBoolean() ? 0L : null);
            if (kind == Kind.ACK) {
                connect.putObject("ext").put("ack", ack);
            } else if (kind == Kind.POSITIONS && position != null) {
                connect.putObject("ext").putObject("herald").putObject("ack").put(CHANNEL.value(), position);
            }
            ArrayNode response = client.send(connect);
            assertThat(response.get(0).get("successful").asBoolean()).as(response.toString()).isTrue();
            boolean lose = (kind == Kind.ACK || kind == Kind.POSITIONS) && random.nextInt(5) == 0;
            if (lose) {
                continue; // this reply is lost in the network: nothing in it reached the application
            }
            if (kind == Kind.ACK && response.get(0).path("ext").has("ack")) {
                ack = response.get(0).get("ext").get("ack").asLong();
            }
            for (JsonNode delivery : BayeuxTestClient.deliveries(response)) {
                if (delivery.path("ext").path("herald").path("missedevents").asBoolean()) {
                    // A pattern has no cursor: a client the node let go (a slow machine can stretch a plain client's
                    // connect loop past max-interval) is told its pattern was reset. Its exact channel resumed from its
                    // cursor, which the offsets check below holds to every message once; any other notice is a loss.
                    assertThat(delivery.get("channel").asText()).as("%s client told of missed messages: %s", kind, delivery)
                            .isEqualTo("/st/*");
                    continue;
                }
                String at = delivery.get("ext").get("herald").get("position").asText();
                offsets.add(Long.parseLong(at.substring(at.lastIndexOf(':') + 1)));
                position = at;
            }
            if (kind == Kind.PAUSING && random.nextInt(4) == 0) {
                long away = System.nanoTime();
                await().pollDelay(Duration.ofMillis(250 + random.nextInt(150))).until(() -> System.nanoTime() - away > 0);
            }
        }
        return offsets;
    }
}
