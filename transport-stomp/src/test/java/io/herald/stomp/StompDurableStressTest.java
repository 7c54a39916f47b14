package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Durable acknowledged delivery under concurrency: several publishers at random pace, a consumer that acks at
 * random moments (some acks held back), changes its prefetch window, and has its connection dropped at random
 * points (sometimes reconnecting before the old one is dropped: a take-over). Whatever the timing, every
 * message arrives, first deliveries in position order without a hole, and every repeat is flagged redelivered.
 */
class StompDurableStressTest {

    @RepeatedTest(5)
    void everyMessageOnceInOrderThroughRandomDropsAndAcks() throws Exception {
        int publishers = 4;
        int perPublisher = 250;
        int total = publishers * perPublisher;
        ChannelName channel = ChannelName.of("/stress/a");
        try (StompServer server = new StompServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "5000"))) {
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            StompTestClient client = StompTestClient.connected(server.ws);
            subscribe(client);
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        server.herald.publish(channel, "\"" + publisher + "-" + i + "\"");
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                    }
                }));
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Set<Long> seen = new HashSet<>();
            List<Long> firsts = new ArrayList<>();
            List<String> heldAcks = new ArrayList<>();
            int drops = 0;
            long quietSince = System.nanoTime();
            while (seen.size() < total) {
                StompFrame m = client.poll(java.time.Duration.ofMillis(100));
                if (m == null) {
                    // A full window of held-back acks: the client must ack before it gets more.
                    for (String ack : heldAcks) {
                        client.send("ACK", headers("id", ack));
                    }
                    heldAcks.clear();
                    assertThat(System.nanoTime() - quietSince).as("a message within 10 s (seen %d of %d)", seen.size(), total)
                            .isLessThan(TimeUnit.SECONDS.toNanos(10));
                    continue;
                }
                quietSince = System.nanoTime();
                assertThat(m.command()).as("%s %s", m, m.text()).isEqualTo("MESSAGE");
                long offset = Long.parseLong(m.header("herald-position").substring(m.header("herald-position").indexOf(':') + 1));
                if (seen.add(offset)) {
                    firsts.add(offset);
                } else {
                    assertThat(m.header("redelivered")).as("repeat of offset %d", offset).isEqualTo("true");
                }
                heldAcks.add(m.header("ack"));
                if (random.nextInt(4) != 0) {
                    // Ack now, or flush the held-back acks in a random order.
                    java.util.Collections.shuffle(heldAcks);
                    for (String ack : heldAcks) {
                        client.send("ACK", headers("id", ack));
                    }
                    heldAcks.clear();
                }
                if (random.nextInt(60) == 0) {
                    drops++;
                    heldAcks.clear();
                    StompTestClient next;
                    if (random.nextBoolean()) {
                        client.kill();
                        next = StompTestClient.connected(server.ws);
                    } else {
                        next = StompTestClient.connected(server.ws); // take-over before the old one is dropped
                        subscribeQuietly(next);
                        client.kill();
                        client = next;
                        continue;
                    }
                    client = next;
                    subscribe(client);
                }
            }
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            client.close();
            assertThat(drops).as("the run dropped connections").isPositive();
            for (int i = 1; i < firsts.size(); i++) {
                assertThat(firsts.get(i)).as("first deliveries in order, no hole").isEqualTo(firsts.get(i - 1) + 1);
            }
            assertThat(firsts).hasSize(total);
        }
    }

    private static void subscribe(StompTestClient c) throws InterruptedException {
        c.subscribe("sub-0", "/topic/stress.a", "durable", "true", "auto-delete", "false", "ack", "client-individual",
                "prefetch-count", String.valueOf(ThreadLocalRandom.current().nextInt(1, 30)));
    }

    /** Subscribes without waiting for the receipt, so that nothing of the new connection is read before the old drops. */
    private static void subscribeQuietly(StompTestClient c) {
        c.send("SUBSCRIBE", headers("id", "sub-0", "destination", "/topic/stress.a", "durable", "true", "auto-delete", "false",
                "ack", "client-individual", "prefetch-count", String.valueOf(ThreadLocalRandom.current().nextInt(1, 30))));
    }
}
