package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (no *Test suffix): messages/s one client receives from an in-process Herald over
 * WebSocket, HeraldClient vs a raw Bayeux loop on the JDK WebSocket (no positions, no dedup, no dispatch
 * thread) in the same run. Run: -Dtest=ReceiveThroughputBench. Figures in docs/benchmarks.md.
 */
class ReceiveThroughputBench {

    private static final int MESSAGES = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void receiveThroughput() throws Exception {
        try (TestHerald server = new TestHerald(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000"), null)) {
            for (int round = 0; round < Integer.getInteger("bench.rounds", 3); round++) {
                double raw = raw(server, "/bench/raw" + round);
                double herald = herald(server, "/bench/client" + round);
                System.out.printf("round %d: raw Bayeux WebSocket %.0f msg/s, HeraldClient %.0f msg/s, ratio %.2f%n",
                        round, raw, herald, herald / raw);
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

    private static double herald(TestHerald server, String channel) throws Exception {
        AtomicInteger received = new AtomicInteger();
        try (HeraldClient client = HeraldClient.builder(server.bayeux()).build()) {
            client.connect().get();
            client.subscribe(channel, m -> received.incrementAndGet()).get();
            return publishAndTime(server, channel, received);
        }
    }

    private static double raw(TestHerald server, String channel) throws Exception {
        AtomicInteger received = new AtomicInteger();
        AtomicLong ids = new AtomicLong();
        String[] clientId = new String[1];
        Object subscribed = new Object();
        AtomicInteger ready = new AtomicInteger();
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
                                ws.sendText("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId[0] + "\",\"subscription\":\""
                                        + channel + "\",\"id\":\"" + ids.incrementAndGet() + "\"}]", true);
                            } else if (ch.equals("/meta/subscribe")) {
                                ready.set(1);
                                connect(ws);
                            } else if (ch.equals("/meta/connect")) {
                                connect(ws);
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            private void connect(WebSocket ws) {
                synchronized (subscribed) {
                    ws.sendText("[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId[0]
                            + "\",\"connectionType\":\"websocket\",\"id\":\"" + ids.incrementAndGet() + "\"}]", true).join();
                }
            }
        };
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/bayeux");
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, listener).get();
        ws.sendText("[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"websocket\"],\"id\":\"0\"}]", true);
        await().until(() -> ready.get() == 1);
        try {
            return publishAndTime(server, channel, received);
        } finally {
            ws.abort();
        }
    }
}
