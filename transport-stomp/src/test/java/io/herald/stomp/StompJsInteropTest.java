package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real npm {@code @stomp/stompjs} 7.x client (over {@code ws}) against Herald's STOMP endpoint. */
class StompJsInteropTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void connectsSubscribesWithWildcardsSendsAndGetsReceipts() throws Exception {
        try (NodeStompClient c = new NodeStompClient(server.ws.toString(), Map.of())) {
            JsonNode connected = c.next("connected");
            assertThat(connected.get("headers").get("version").asText()).isEqualTo("1.2");
            assertThat(connected.get("protocol").asText()).isEqualTo("v12.stomp");
            c.command(Map.of("op", "subscribe", "id", "sub-0", "destination", "/topic/chat.*", "receipt", "s1"));
            assertThat(c.next("receipt").get("id").asText()).isEqualTo("s1");

            c.command(Map.of("op", "send", "destination", "/topic/chat.general", "body", "hello ✓", "receipt", "r1",
                    "headers", Map.of("content-type", "text/plain", "cust", "f:o:o\nbar\rbaz\\foo")));
            // The RECEIPT and the MESSAGE may come in either order.
            List<JsonNode> got = new ArrayList<>(List.of(c.next(java.time.Duration.ofSeconds(10)), c.next(java.time.Duration.ofSeconds(10))));
            got.sort(java.util.Comparator.comparing(n -> n.get("kind").asText()));
            JsonNode message = got.get(0);
            assertThat(got).extracting(n -> n.get("kind").asText()).containsExactly("message", "receipt");
            assertThat(got.get(1).get("id").asText()).isEqualTo("r1");
            assertThat(message.get("subscription").asText()).isEqualTo("sub-0");
            assertThat(message.get("headers").get("destination").asText()).isEqualTo("/topic/chat.general");
            assertThat(message.get("headers").get("cust").asText()).isEqualTo("f:o:o\nbar\rbaz\\foo");
            assertThat(message.get("body").asText()).isEqualTo("hello ✓");

            server.herald.publish(ChannelName.of("/chat/other"), "{\"a\":1}");
            message = c.next("message");
            assertThat(message.get("headers").get("destination").asText()).isEqualTo("/topic/chat.other");
            assertThat(message.get("headers").get("content-type").asText()).isEqualTo("application/json");
            assertThat(message.get("body").asText()).isEqualTo("{\"a\":1}");

            byte[] binary = {0, 1, (byte) 0xfe, (byte) 0xff, 0};
            c.command(Map.of("op", "send", "destination", "/topic/chat.bin", "binary", true,
                    "body", Base64.getEncoder().encodeToString(binary), "headers", Map.of("content-type", "application/octet-stream")));
            message = c.next("message");
            assertThat(Base64.getDecoder().decode(message.get("base64").asText())).isEqualTo(binary);
        }
    }

    @Test
    void clientIndividualAcksOpenTheWindow() throws Exception {
        try (NodeStompClient c = new NodeStompClient(server.ws.toString(), Map.of())) {
            c.next("connected");
            c.command(Map.of("op", "subscribe", "id", "s", "destination", "/topic/acks.a", "ack", true, "receipt", "s1",
                    "headers", Map.of("ack", "client-individual", "prefetch-count", "1")));
            c.next("receipt");
            for (int i = 1; i <= 5; i++) {
                server.herald.publish(ChannelName.of("/acks/a"), String.valueOf(i));
            }
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                JsonNode m = c.next("message");
                assertThat(m.get("headers").get("ack").asText()).isNotBlank();
                bodies.add(m.get("body").asText());
            }
            // With a window of one, each next message proves the previous ack reached the server.
            assertThat(bodies).containsExactly("1", "2", "3", "4", "5");
        }
    }

    /**
     * The durable-websockets scenario: a durable client-individual subscription, resubscribed with the same id
     * in onConnect as stompjs applications do; the connection is cut by a proxy (the server not knowing at first)
     * and killed server side while messages keep being published. Every message arrives, first deliveries in
     * order, and the only repeats are of messages whose ack had not reached the server, flagged redelivered.
     */
    @Test
    void durableSubscriptionSurvivesCutsAndServerSideKills() throws Exception {
        int total = 300;
        try (CuttableProxy proxy = new CuttableProxy(server.http.getPort())) {
            Map<String, Object> subscription = new LinkedHashMap<>();
            subscription.put("id", "sub-0");
            subscription.put("destination", "/topic/orders.eu");
            subscription.put("ack", true);
            subscription.put("headers", Map.of("durable", "true", "auto-delete", "false", "ack", "client-individual",
                    "prefetch-count", "20"));
            String url = "ws://127.0.0.1:" + proxy.port() + "/stomp";
            try (NodeStompClient c = new NodeStompClient(url, Map.of("subscriptions", List.of(subscription), "reconnectDelay", 100))) {
                c.next("connected");
                int[] connects = {1};
                org.awaitility.Awaitility.await().until(() -> server.transport().durables.size() == 1);
                List<JsonNode> messages = new ArrayList<>();
                for (int i = 1; i <= total; i++) {
                    server.herald.publish(ChannelName.of("/orders/eu"), String.valueOf(i));
                    if (i == 100 || i == 200) {
                        if (i == 100) {
                            proxy.cut(false);
                        } else {
                            server.transport().connections.forEach(StompConnection::shutdown);
                        }
                        int before = connects[0];
                        while (connects[0] == before) {
                            connects[0] += awaitAny(c, messages);
                        }
                    }
                    if (i % 10 == 0) {
                        connects[0] += drain(c, messages);
                    }
                }
                Set<String> seen = new HashSet<>();
                for (JsonNode m : messages) {
                    seen.add(m.get("body").asText());
                }
                while (seen.size() < total) {
                    JsonNode m = c.next(java.time.Duration.ofSeconds(15));
                    if (m.get("kind").asText().equals("connected")) {
                        connects[0]++;
                    } else if (m.get("kind").asText().equals("message")) {
                        messages.add(m);
                        seen.add(m.get("body").asText());
                    }
                }
                // The first connect, the one after the proxy cut and the one after the server-side kill.
                assertThat(connects[0]).isGreaterThanOrEqualTo(3);
                List<Integer> firsts = new ArrayList<>();
                Set<String> first = new HashSet<>();
                for (JsonNode m : messages) {
                    String body = m.get("body").asText();
                    if (first.add(body)) {
                        firsts.add(Integer.parseInt(body));
                    } else {
                        assertThat(m.get("headers").get("redelivered").asText()).as("repeat of %s", body).isEqualTo("true");
                    }
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = 1; i <= total; i++) {
                    expected.add(i);
                }
                assertThat(firsts).containsExactlyElementsOf(expected);
            }
        }
    }

    /** Waits for the next event; a message goes into {@code into}; returns 1 for a connect. */
    private static int awaitAny(NodeStompClient c, List<JsonNode> into) throws InterruptedException {
        JsonNode node = c.next(java.time.Duration.ofSeconds(15));
        if (node.get("kind").asText().equals("message")) {
            into.add(node);
        }
        return node.get("kind").asText().equals("connected") ? 1 : 0;
    }

    /** Moves the messages seen so far into {@code into}; returns how many connects were seen meanwhile. */
    private static int drain(NodeStompClient c, List<JsonNode> into) {
        int connects = 0;
        JsonNode node;
        while ((node = c.seen.poll()) != null) {
            if (node.get("kind").asText().equals("message")) {
                into.add(node);
            } else if (node.get("kind").asText().equals("connected")) {
                connects++;
            }
        }
        return connects;
    }
}
