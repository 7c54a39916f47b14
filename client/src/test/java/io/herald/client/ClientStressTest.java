package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * 10,000 messages on 20 channels, joined at random times while others are being published (five of them through
 * one wildcard), four publisher threads, and the network cut from the server side five times at random moments
 * of the traffic, about half of them cut again right after the reconnect (in the middle of the rejoin and its
 * replays), each once every channel published to has delivered its first message (see the README on patterns):
 * each channel's handler sees every message published after its join exactly once, in order, with no
 * application code for the reconnects or the rejoins.
 */
class ClientStressTest {

    private static final int CHANNELS = 20;
    private static final int PER_CHANNEL = 500;

    @org.junit.jupiter.api.Test
    void everyMessageOnceInOrderThroughCutsOverLongPolling() throws Exception {
        run("long-polling");
    }

    @org.junit.jupiter.api.Test
    void everyMessageOnceInOrderThroughCutsOverWebSocket() throws Exception {
        run("websocket");
    }

    /** Runs {@code -Dstress.runs} times (1); a failed run writes what the client sent and received to target/. */
    private void run(String transport) throws Exception {
        for (int i = 0; i < Integer.getInteger("stress.runs", 1); i++) {
            java.util.Queue<String> log = new java.util.concurrent.ConcurrentLinkedQueue<>();
            BayeuxSession.trace = e -> log.add(Thread.currentThread().getName() + " " + e);
            try {
                runOnce(transport);
            } catch (Throwable t) {
                java.nio.file.Files.write(java.nio.file.Path.of("target/stress-trace-" + transport + ".txt"), log);
                throw t;
            } finally {
                BayeuxSession.trace = null;
            }
        }
    }

    private void runOnce(String transport) throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        System.out.println("ClientStressTest " + transport + " seed " + seed);
        Random random = new Random(seed);
        Map<String, List<Integer>> got = new ConcurrentHashMap<>();
        for (int c = 0; c < CHANNELS; c++) {
            got.put(name(c), new CopyOnWriteArrayList<>());
        }
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        AtomicInteger published = new AtomicInteger();
        List<io.herald.api.Gap> gaps = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        try (TestHerald server = new TestHerald(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "1000")
                     .with(io.herald.bayeux.BayeuxSettings.TIMEOUT, "2s"), null);
             HeraldClient client = HeraldClient.builder(server.bayeux()).transports(transport)
                     .batchAcknowledgements(Boolean.parseBoolean(System.getProperty("stress.batchAcks", "true")))
                     .backoff(Duration.ofMillis(10), Duration.ofMillis(200)).maxNetworkDelay(Duration.ofSeconds(2)).random(new Random(seed)).onMissed(gaps::add)
                     .onStateChange((state, cause) -> {
                         states.add(state + " " + cause);
                         var t = BayeuxSession.trace;
                         if (t != null) {
                             t.accept("STATE " + state + " " + cause);
                         }
                     }).build()) {
            client.connect().get();
            MessageHandler record = m -> got.get(m.channel().value()).add(m.data().get("n").asInt());
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                order.add(c);
            }
            java.util.Collections.shuffle(order, random);
            boolean wildcardJoined = false;
            int total = CHANNELS * PER_CHANNEL;
            List<Integer> cutsAt = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                cutsAt.add(total / 10 + random.nextInt(total * 8 / 10));
            }
            java.util.Collections.sort(cutsAt);
            // Publishers stop at the next cut's count until the cutter has made the cut and the client is back, so
            // every cut interrupts traffic in flight (queued, being written, being read) whatever the machine's speed.
            AtomicInteger nextCutAt = new AtomicInteger(cutsAt.get(0));
            AtomicInteger cutsMade = new AtomicInteger();
            List<Lane> lanes = new CopyOnWriteArrayList<>();
            Random cutRandom = new Random(random.nextLong());
            Thread cutter = new Thread(() -> {
                for (int k = 0; k < cutsAt.size(); k++) {
                    int at = cutsAt.get(k);
                    // Every channel that was published to has delivered something first: a channel a wildcard
                    // never delivered has no position anywhere (see README, "a pattern's first delivery").
                    while (published.get() < at) {
                        LockSupport.parkNanos(200_000);
                    }
                    long patience = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (lanes.stream().anyMatch(l -> l.next > 0 && got.get(l.name).isEmpty())
                            && System.nanoTime() < patience) {
                        LockSupport.parkNanos(200_000);
                    }
                    // A cut that hit no request in flight (long polling between two polls) goes unnoticed, rightly:
                    // it is made again until the client went through a reconnect.
                    boolean effective = false;
                    while (!effective) {
                        int before = states.size();
                        server.dropLinks();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (System.nanoTime() < deadline && !effective) {
                            List<String> all = List.copyOf(states);
                            List<String> since = all.subList(before, all.size());
                            int lost = since.indexOf(since.stream().filter(st -> st.startsWith("RECONNECTING")).findFirst().orElse("-"));
                            effective = lost >= 0 && since.subList(lost, since.size()).stream().anyMatch(st -> st.startsWith("CONNECTED"));
                            LockSupport.parkNanos(200_000);
                        }
                        if (!effective && states.get(states.size() - 1).startsWith("RECONNECTING")) {
                            return; // the client did not come back: the assertions below say so, with the seed
                        }
                    }
                    if (cutRandom.nextBoolean()) {
                        // A second cut soon after: often in the middle of the rejoin (handshake, subscribes, replays).
                        LockSupport.parkNanos(cutRandom.nextInt(30_000_000));
                        int before = states.size();
                        server.dropLinks();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (System.nanoTime() < deadline && !states.get(states.size() - 1).startsWith("CONNECTED")) {
                            LockSupport.parkNanos(200_000);
                        }
                    }
                    cutsMade.incrementAndGet();
                    nextCutAt.set(k + 1 < cutsAt.size() ? cutsAt.get(k + 1) : Integer.MAX_VALUE);
                }
            }, "cutter");
            cutter.setDaemon(true);
            cutter.start();
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                Random own = new Random(random.nextLong());
                running.add(publishers.submit(() -> {
                    while (published.get() < total) {
                        while (published.get() >= nextCutAt.get() && cutter.isAlive()) {
                            LockSupport.parkNanos(100_000);
                        }
                        List<Lane> open = lanes.stream().filter(l -> l.next < PER_CHANNEL).toList();
                        if (open.isEmpty()) {
                            LockSupport.parkNanos(100_000);
                            continue;
                        }
                        Lane lane = open.get(own.nextInt(open.size()));
                        synchronized (lane) { // one publisher at a time per channel, so n is the publish order
                            if (lane.next < PER_CHANNEL) {
                                server.herald.publish(ChannelName.of(lane.name), "{\"n\":" + lane.next + "}");
                                lane.next++;
                                published.incrementAndGet();
                            }
                        }
                        if (own.nextInt(8) == 0) {
                            LockSupport.parkNanos(own.nextInt(500_000));
                        }
                    }
                    return null;
                }));
            }
            for (int c : order) {
                // Channels 15..19 are joined through the wildcard /stress/w/*, at the moment the first of them comes up.
                if (c < 15) {
                    client.subscribe(name(c), record).get(60, TimeUnit.SECONDS);
                } else if (!wildcardJoined) {
                    client.subscribe("/stress/w/*", record).get(60, TimeUnit.SECONDS);
                    wildcardJoined = true;
                }
                lanes.add(new Lane(name(c)));
                LockSupport.parkNanos(random.nextInt(50) * 1_000_000L);
            }
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
            cutter.join(60_000);
            assertThat(cutsMade.get()).as("cuts (seed %d)", seed).isEqualTo(cutsAt.size());
            List<Integer> all = new ArrayList<>();
            for (int n = 0; n < PER_CHANNEL; n++) {
                all.add(n);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (int c = 0; c < CHANNELS; c++) {
                    // Wildcard-only channels too: a pattern's reset notice (a connection of the session resumed
                    // from the store) comes with nothing lost, since the server's per-channel subscriptions of the
                    // pattern resume from their cursors and a restart hands its patterns over.
                    assertThat(got.get(name(c))).as("channel %s (seed %d, gaps %s, states %s)", name(c), seed, gaps, states)
                            .containsExactlyElementsOf(all);
                }
            });
            assertThat(states.stream().filter(st -> st.startsWith("RECONNECTING")).count()).as("reconnects").isGreaterThanOrEqualTo(cutsAt.size());
            // Retention (1,000 per channel) covers the run: a gap on a channel would be a loss. The pattern's
            // own notice (its server-side subscription has no cursor) may come; its channels were resumed exactly.
            assertThat(gaps).allSatisfy(g -> assertThat(g.channel().isPattern()).isTrue());
        } finally {
            publishers.shutdownNow();
        }
    }

    /** A channel being published to: the next n (guarded by the lane). */
    private static final class Lane {
        final String name;
        volatile int next;

        Lane(String name) {
            this.name = name;
        }
    }

    private static String name(int c) {
        return c < 15 ? "/stress/c" + c : "/stress/w/c" + c;
    }
}
