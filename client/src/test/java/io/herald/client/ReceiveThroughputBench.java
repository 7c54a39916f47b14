package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cometd.client.BayeuxClient;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Not part of the suite (no *Test suffix): what one client gets from an in-process Herald over WebSocket, for
 * HeraldClient, the CometD 9 Java client (BayeuxClient, WebSocket transport) and a raw Bayeux loop on the JDK
 * WebSocket (no positions, no dedup, no dispatch thread), in the same run: messages/s received while publishing as
 * fast as possible; latency p50/p99 from publish to handler at a fixed 1,000 msg/s; and heap per connected,
 * subscribed client instance (HeraldClient also on one shared {@link HeraldTransport}). Run: -Dtest=ReceiveThroughputBench [-Dbench.rounds=3]. Figures in docs/benchmarks.md.
 */
class ReceiveThroughputBench {

    private static final int MESSAGES = 20_000;
    private static final int LATENCY_MESSAGES = 3_000;
    private static final int INSTANCES = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void receiveThroughput() throws Exception {
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        // Herald writes what has queued in one frame; the container's 64 KiB default would refuse a large batch.
        container.setDefaultMaxTextMessageBufferSize(4 << 20);
        try (TestHerald server = new TestHerald(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000"), null)) {
            for (int round = 0; round < Integer.getInteger("bench.rounds", 3); round++) {
                double raw = raw(server, "/bench/raw" + round);
                System.out.printf("round %d: raw %.0f msg/s%n", round, raw);
                double herald = throughput(server, "/bench/client" + round, heraldClient(server));
                System.out.printf("round %d: HeraldClient %.0f msg/s%n", round, herald);
                double cometd = throughput(server, "/bench/cometd" + round, cometdClient(server, container));
                System.out.printf("round %d: messages/s raw Bayeux WebSocket %.0f, HeraldClient %.0f, CometD BayeuxClient %.0f%n",
                        round, raw, herald, cometd);
                long[] h = latency(server, "/bench/lat-client" + round, heraldClient(server));
                long[] c = latency(server, "/bench/lat-cometd" + round, cometdClient(server, container));
                System.out.printf("round %d: latency at 1,000 msg/s, p50/p99 us: HeraldClient %d/%d, CometD BayeuxClient %d/%d%n",
                        round, h[0], h[1], c[0], c[1]);
            }
            long heraldBytes = heapPerInstance(() -> heraldClient(server));
            long cometdBytes = heapPerInstance(() -> cometdClient(server, container));
            // The shared transport is made inside the count (by the first client), so each client carries its
            // 1/INSTANCES share of it (the CometD clients' WebSocket container was made before, outside).
            HeraldTransport[] shared = new HeraldTransport[1];
            try {
                long sharedBytes = heapPerInstance(() -> {
                    if (shared[0] == null) {
                        shared[0] = HeraldTransport.shared();
                    }
                    return heraldClient(server, shared[0]);
                });
                System.out.printf("heap per connected, subscribed instance (%d each): HeraldClient %d KiB, HeraldClient on one shared"
                        + " HeraldTransport %d KiB, CometD BayeuxClient %d KiB%n",
                        INSTANCES, heraldBytes / 1024, sharedBytes / 1024, cometdBytes / 1024);
            } finally {
                if (shared[0] != null) {
                    shared[0].close();
                }
            }
        }
    }

    /** A client under test: connects, subscribes a handler that gets each message's data, and closes. */
    private interface Receiver extends AutoCloseable {
        void subscribe(String channel, java.util.function.Consumer<JsonNode> data) throws Exception;

        /** What the client itself can tell about positions its handler saw more than once (empty if none or unknown). */
        default String repeats() {
            return "";
        }

        @Override
        void close() throws Exception;
    }

    private static Receiver heraldClient(TestHerald server) throws Exception {
        return heraldClient(server, null);
    }

    private static Receiver heraldClient(TestHerald server, HeraldTransport shared) throws Exception {
        HeraldClient.Builder builder = HeraldClient.builder(server.bayeux());
        if (shared != null) {
            builder.transport(shared);
        }
        HeraldClient client = builder.build();
        client.connect().get();
        return new Receiver() {
            /** Handler calls per offset, to tell a repeat (same position twice) from a second copy under another. */
            private final java.util.Map<Long, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
            private final java.util.Queue<String> repeated = new java.util.concurrent.ConcurrentLinkedQueue<>();

            @Override
            public void subscribe(String channel, java.util.function.Consumer<JsonNode> data) throws Exception {
                client.subscribe(channel, m -> {
                    long offset = m.position() == null ? -1 : m.position().offset();
                    if (calls.merge(offset, 1, Integer::sum) > 1 && repeated.size() < 20) {
                        repeated.add(m.position() + (m.redelivered() ? " redelivered" : "") + " n=" + m.data().path("n"));
                    }
                    data.accept(m.data());
                }).get();
            }

            @Override
            public String repeats() {
                long twice = calls.values().stream().filter(c -> c > 1).count();
                return twice == 0 ? "" : twice + " positions handled more than once, first: " + repeated + "; client state "
                        + client.state();
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    private static Receiver cometdClient(TestHerald server, WebSocketContainer container) throws Exception {
        BayeuxClient client = new BayeuxClient(server.bayeux().toString(), new WebSocketTransport(new HashMap<>(), null, container));
        CountDownLatch handshaken = new CountDownLatch(1);
        client.handshake(reply -> handshaken.countDown());
        if (!handshaken.await(10, TimeUnit.SECONDS) || !client.isHandshook()) {
            throw new IllegalStateException("CometD client did not handshake with " + server.bayeux());
        }
        return new Receiver() {
            @Override
            public void subscribe(String channel, java.util.function.Consumer<JsonNode> data) throws Exception {
                CountDownLatch subscribed = new CountDownLatch(1);
                client.getChannel(channel).subscribe((c, m) -> data.accept(JSON.valueToTree(m.getDataAsMap())), r -> subscribed.countDown());
                if (!subscribed.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("CometD client did not subscribe to " + channel);
                }
            }

            @Override
            public void close() {
                client.disconnect(1000);
            }
        };
    }

    private static double throughput(TestHerald server, String channel, Receiver receiver) throws Exception {
        try (receiver) {
            AtomicInteger received = new AtomicInteger();
            int[] byN = new int[MESSAGES];
            receiver.subscribe(channel, d -> {
                byN[d.path("n").asInt()]++; // one handler thread per receiver: no race on the array
                received.incrementAndGet();
            });
            try {
                return publishAndTime(server, channel, received);
            } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(channel + ": " + e.getMessage().strip() + "\n" + tally(byN) + "\n" + receiver.repeats(), e);
            }
        }
    }

    private static double publishAndTime(TestHerald server, String channel, AtomicInteger received) {
        long start = System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
            server.herald.publish(ChannelName.of(channel), "{\"n\":" + i + ",\"text\":\"a message of some ordinary length\"}");
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> received.get() >= MESSAGES);
        assertThat(received.get()).isEqualTo(MESSAGES);
        return MESSAGES / ((System.nanoTime() - start) / 1e9);
    }

    /** Which published numbers the handler got more than once, or never, as ranges. */
    private static String tally(int[] byN) {
        StringBuilder repeated = new StringBuilder();
        StringBuilder missing = new StringBuilder();
        for (int i = 0; i < byN.length; i++) {
            StringBuilder into = byN[i] > 1 ? repeated : byN[i] == 0 ? missing : null;
            if (into == null || (i > 0 && (byN[i - 1] > 1) == (byN[i] > 1) && (byN[i - 1] == 0) == (byN[i] == 0))) {
                continue;
            }
            int end = i;
            while (end + 1 < byN.length && (byN[end + 1] > 1) == (byN[i] > 1) && (byN[end + 1] == 0) == (byN[i] == 0)) {
                end++;
            }
            into.append(' ').append(i).append(end > i ? "-" + end : "");
        }
        return "n handled more than once:" + repeated + "; never:" + missing;
    }

    /** p50 and p99, in microseconds, from publish to the handler, publishing at 1,000 msg/s. */
    private static long[] latency(TestHerald server, String channel, Receiver receiver) throws Exception {
        try (receiver) {
            long[] latencies = new long[LATENCY_MESSAGES];
            AtomicInteger received = new AtomicInteger();
            receiver.subscribe(channel, d -> {
                int n = received.getAndIncrement();
                if (n < LATENCY_MESSAGES) {
                    latencies[n] = System.nanoTime() - d.path("t").asLong();
                }
            });
            long next = System.nanoTime();
            for (int i = 0; i < LATENCY_MESSAGES; i++) {
                next += 1_000_000;
                LockSupport.parkNanos(next - System.nanoTime());
                server.herald.publish(ChannelName.of(channel), "{\"t\":" + System.nanoTime() + ",\"text\":\"a message of some ordinary length\"}");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> received.get() >= LATENCY_MESSAGES);
            Arrays.sort(latencies);
            return new long[] {latencies[LATENCY_MESSAGES / 2] / 1000, latencies[LATENCY_MESSAGES * 99 / 100] / 1000};
        }
    }

    private interface Factory {
        Receiver make() throws Exception;
    }

    /** Heap grown by {@link #INSTANCES} connected, subscribed clients, per client, after a full GC each side. */
    private static long heapPerInstance(Factory factory) throws Exception {
        long before = usedAfterGc();
        List<Receiver> made = new ArrayList<>();
        try {
            for (int i = 0; i < INSTANCES; i++) {
                Receiver r = factory.make();
                made.add(r);
                r.subscribe("/bench/memory", d -> { });
            }
            return (usedAfterGc() - before) / INSTANCES;
        } finally {
            for (Receiver r : made) {
                r.close();
            }
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double raw(TestHerald server, String channel) throws Exception {
        AtomicInteger received = new AtomicInteger();
        AtomicLong ids = new AtomicLong();
        String[] clientId = new String[1];
        Object subscribed = new Object();
        AtomicInteger ready = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        for (JsonNode m : JSON.readTree(partial.toString())) {
                            String ch = m.path("channel").asText();
                            if (m.has("data")) {
                                received.incrementAndGet();
                            } else if (ch.equals("/meta/handshake")) {
                                clientId[0] = m.get("clientId").asText();
                                send(ws, "[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId[0] + "\",\"subscription\":\""
                                        + channel + "\",\"id\":\"" + ids.incrementAndGet() + "\"}]");
                            } else if (ch.equals("/meta/subscribe")) {
                                ready.set(1);
                                connect(ws);
                            } else if (ch.equals("/meta/connect")) {
                                connect(ws);
                            }
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e); // the JDK WebSocket drops what a listener throws unseen
                        throw new IllegalStateException(e);
                    }
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            private void connect(WebSocket ws) {
                send(ws, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId[0]
                        + "\",\"connectionType\":\"websocket\",\"id\":\"" + ids.incrementAndGet() + "\"}]");
            }

            /**
             * One send at a time, each waited for: the JDK WebSocket fails a send while another is pending, and the
             * handshake's send could still be pending when its reply came (the subscribe then failed unseen and the
             * round timed out waiting for it, 2 of 9 runs on 2026-12-05).
             */
            private void send(WebSocket ws, String text) {
                synchronized (subscribed) {
                    ws.sendText(text, true).join();
                }
            }
        };
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/bayeux");
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, listener).get();
        synchronized (subscribed) {
            ws.sendText("[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"websocket\"],\"id\":\"0\"}]", true).join();
        }
        await().until(() -> ready.get() == 1 || failure.get() != null);
        if (failure.get() != null) {
            throw new IllegalStateException("the raw loop failed before it was subscribed to " + channel, failure.get());
        }
        try {
            return publishAndTime(server, channel, received);
        } finally {
            ws.abort();
        }
    }
}
