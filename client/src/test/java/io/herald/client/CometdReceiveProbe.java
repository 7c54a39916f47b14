package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.bayeux.BayeuxServer;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cometd.bayeux.Channel;
import org.cometd.client.BayeuxClient;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Not part of the suite: ReceiveThroughputBench's CometD receiver (CometD 9 BayeuxClient, Jakarta WebSocket, no
 * extensions) in rounds, recording the offset of every message its listener gets and the client's meta events,
 * to show where a message comes twice and what the server did around it. Run: -Dtest=CometdReceiveProbe
 * [-Dprobe.rounds=10] [-Dprobe.messages=20000].
 */
class CometdReceiveProbe {

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void cometdGetsEachMessageOnce() throws Exception {
        int rounds = Integer.getInteger("probe.rounds", 10);
        int messages = Integer.getInteger("probe.messages", 20_000);
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(4 << 20);
        List<String> failed = new ArrayList<>();
        try (TestHerald server = new TestHerald(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000"), null)) {
            BayeuxServer bayeux = server.herald.injector().getInstance(BayeuxServer.class);
            for (int round = 0; round < rounds; round++) {
                String channel = "/cometd-probe/" + round;
                Map<String, Object> before = bayeux.stats();
                BayeuxClient client = new BayeuxClient(server.bayeux().toString(), new WebSocketTransport(new HashMap<>(), null, container));
                List<Long> offsets = java.util.Collections.synchronizedList(new ArrayList<>());
                ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
                AtomicInteger got = new AtomicInteger();
                for (String meta : List.of(Channel.META_HANDSHAKE, Channel.META_CONNECT, Channel.META_SUBSCRIBE, Channel.META_DISCONNECT)) {
                    client.getChannel(meta).addListener((org.cometd.bayeux.client.ClientSessionChannel.MessageListener) (c, m) -> {
                        if (!meta.equals(Channel.META_CONNECT) || !m.isSuccessful() || m.getAdvice() != null) {
                            events.add("after " + offsets.size() + " messages: " + m);
                        }
                    });
                }
                CountDownLatch handshaken = new CountDownLatch(1);
                client.handshake(reply -> handshaken.countDown());
                assertThat(handshaken.await(10, TimeUnit.SECONDS)).isTrue();
                CountDownLatch subscribed = new CountDownLatch(1);
                client.getChannel(channel).subscribe((c, m) -> {
                    Object herald = m.getExt() == null ? null : m.getExt().get("herald");
                    String position = herald instanceof Map<?, ?> h ? String.valueOf(h.get("position")) : "?";
                    offsets.add(Long.parseLong(position.substring(position.lastIndexOf(':') + 1)));
                    got.incrementAndGet();
                }, r -> subscribed.countDown());
                assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < messages; i++) {
                    server.herald.publish(ChannelName.of(channel), "{\"n\":" + i + ",\"text\":\"a message of some ordinary length\"}");
                }
                server.herald.publish(ChannelName.of(channel), "{\"n\":" + messages + "}");
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> !offsets.isEmpty() && offsets.get(offsets.size() - 1) == messages + 1);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    events.add("the sentinel did not come: " + e.getMessage());
                }
                client.disconnect(1000);
                Map<String, Object> after = bayeux.stats();
                String problem = analyse(offsets, messages + 1);
                StringBuilder stats = new StringBuilder();
                for (var e : after.entrySet()) {
                    if (e.getValue() instanceof Number n && before.get(e.getKey()) instanceof Number b && n.longValue() != b.longValue()) {
                        stats.append(' ').append(e.getKey()).append(" +").append(n.longValue() - b.longValue());
                    }
                }
                System.out.printf("round %d: %d listener calls for %d; %s; server:%s%n", round, got.get(), messages + 1,
                        problem == null ? "once, in order" : problem, stats);
                if (problem != null) {
                    events.forEach(ev -> System.out.println("  " + (ev.length() > 400 ? ev.substring(0, 400) : ev)));
                    failed.add("round " + round + ": " + problem);
                }
            }
        }
        assertThat(failed).isEmpty();
    }

    /** Null when {@code offsets} is 1..last, else where it first goes back and what repeats. */
    private static String analyse(List<Long> offsets, long last) {
        List<Long> seen = new ArrayList<>(offsets);
        long max = 0;
        for (int i = 0; i < seen.size(); i++) {
            long o = seen.get(i);
            if (o <= max) {
                int end = i;
                while (end + 1 < seen.size() && seen.get(end + 1) == seen.get(end) + 1 && seen.get(end + 1) <= max) {
                    end++;
                }
                return "after " + i + " messages (up to offset " + max + ") it went back to offset " + o + " and repeated up to "
                        + seen.get(end) + ", then " + (end + 1 < seen.size() ? seen.get(end + 1) : "nothing") + "; " + seen.size() + " calls";
            }
            if (o != max + 1) {
                return "after offset " + max + " came " + o + " (a hole)";
            }
            max = o;
        }
        return max == last ? null : "ended at offset " + max;
    }
}
