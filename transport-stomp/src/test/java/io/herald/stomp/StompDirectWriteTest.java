package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket write path: frames written straight on the connection, gathered per write, MESSAGE frames
 * shared by subscribers of the same shape ({@link StompMessageFrames}), pings answered by the writer, no
 * extension accepted. Jetty's client parses every frame strictly, so a framing mistake fails these tests.
 */
class StompDirectWriteTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "10000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void permessageDeflateIsDeclinedAndTheSocketWorksUncompressed() throws Exception {
        try (StompTestClient c = new StompTestClient(server.ws, List.of("permessage-deflate"), "v12.stomp")) {
            assertThat(c.extensions()).isEmpty();
            c.login("1.2");
            c.subscribe("sub-0", "/topic/deflate");
            server.herald.publish(ChannelName.of("/deflate"), "{\"n\":1}");
            assertThat(c.next("MESSAGE").text()).isEqualTo("{\"n\":1}");
        }
    }

    @Test
    void pingsAreAnsweredInTheMidstOfABurst() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("sub-0", "/topic/pinged");
            for (int i = 0; i < 200; i++) {
                server.herald.publish(ChannelName.of("/pinged"), Integer.toString(i));
                if (i == 100) {
                    c.ping("are you there".getBytes(StandardCharsets.UTF_8));
                }
            }
            for (int i = 0; i < 200; i++) {
                assertThat(c.next("MESSAGE").text()).isEqualTo(Integer.toString(i));
            }
            ByteBuffer pong = c.pongs.poll(10, TimeUnit.SECONDS);
            assertThat(pong).as("pong").isNotNull();
            assertThat(StandardCharsets.UTF_8.decode(pong).toString()).isEqualTo("are you there");
        }
    }

    @Test
    void aBurstGoesOutAsOneWebSocketMessagePerFrameInOrder() throws Exception {
        try (StompTestClient c = StompTestClient.connected(server.ws)) {
            c.subscribe("sub-0", "/topic/burst");
            c.messageKinds.clear();
            for (int i = 0; i < 500; i++) {
                server.herald.publish(ChannelName.of("/burst"), Integer.toString(i));
            }
            for (int i = 0; i < 500; i++) {
                assertThat(c.next("MESSAGE").text()).isEqualTo(Integer.toString(i));
            }
            assertThat(c.messageKinds).as("one WebSocket message per MESSAGE frame").hasSize(500);
        }
    }

    /**
     * Stress: subscribers of several shapes (STOMP versions, subscription ids, destinations named exactly or by
     * wildcard) on one channel while publishers publish at random pace from several threads; the writer threads
     * share the encoded frames. Each subscriber must get every message once, in the channel's order, each in a
     * WebSocket message of its own, with its own subscription id, ack id and destination, and the body that was
     * published at that position.
     */
    @Test
    void subscribersOfManyShapesEachGetTheirOwnExactFramesUnderConcurrentPublishing() throws Exception {
        String[] versions = {"1.2", "1.1", "1.0"};
        String[] subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"};
        List<StompTestClient> clients = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> destinations = new ArrayList<>();
        int subscribers = 24;
        int publishers = 4;
        int each = 150;
        try {
            for (int i = 0; i < subscribers; i++) {
                StompTestClient c = new StompTestClient(server.ws, subprotocols[i % 3]);
                clients.add(c);
                c.login(versions[i % 3]);
                String id = i % 4 == 0 ? "s:" + i : "sub-0"; // most alike, some with an id of their own (escaped in 1.1/1.2)
                String destination = i % 5 == 0 ? "/topic/stress.*" : "/topic/stress.fan";
                c.subscribe(id, destination);
                ids.add(id);
                destinations.add(destination);
                c.messageKinds.clear();
            }
            Map<Long, String> published = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            List<Future<?>> runs = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                runs.add(pool.submit(() -> {
                    for (int n = 0; n < each; n++) {
                        String body = "p" + publisher + "-" + n;
                        var message = server.herald.publish(ChannelName.of("/stress/fan"), body);
                        published.put(message.offset(), body);
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            int total = publishers * each;
            assertThat(published).hasSize(total);
            long first = published.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
            for (int i = 0; i < subscribers; i++) {
                StompTestClient c = clients.get(i);
                long previous = first - 1;
                for (int n = 0; n < total; n++) {
                    StompFrame m = c.next("MESSAGE");
                    String position = m.header("herald-position");
                    long offset = Long.parseLong(position.substring(position.lastIndexOf(':') + 1));
                    String epoch = position.substring(0, position.lastIndexOf(':'));
                    assertThat(offset).as("subscriber %d: every message once, in order", i).isEqualTo(previous + 1);
                    previous = offset;
                    assertThat(m.header("subscription")).isEqualTo(ids.get(i));
                    assertThat(m.header("message-id")).isEqualTo("0-" + epoch + "-" + offset);
                    assertThat(m.header("destination")).isEqualTo("/topic/stress.fan");
                    assertThat(m.header("redelivered")).isEqualTo("false");
                    assertThat(m.text()).isEqualTo(published.get(offset));
                }
                assertThat(c.messageKinds).as("subscriber %d: one WebSocket message per frame", i).hasSize(total);
                c.assertNothingWithin(Duration.ofMillis(50));
            }
            assertThat(destinations).contains("/topic/stress.*");
        } finally {
            for (StompTestClient c : clients) {
                c.close();
            }
        }
    }
}
