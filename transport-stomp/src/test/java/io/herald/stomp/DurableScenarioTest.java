package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The durable-websockets scenario run unchanged against Herald and against RabbitMQ's Web-STOMP plugin
 * (127.0.0.1:15674, guest/guest, enabled by .ci/run): the same stompjs application code — a durable
 * client-individual subscription made in onConnect, acking each message — through a proxy that cuts the
 * connection twice while another client keeps publishing. On both, every message arrives, first deliveries
 * in order, and repeats are only of unacked messages, flagged redelivered.
 */
class DurableScenarioTest {

    enum Target { HERALD, RABBITMQ_WEB_STOMP }

    private static final int TOTAL = 150;

    @ParameterizedTest
    @EnumSource(Target.class)
    void sameClientCodeSameGuarantee(Target target) throws Exception {
        // A durable subscription's backlog lives in the channel's history (DESIGN.md: "the backlog stays in
        // history, not in memory"), where RabbitMQ keeps a queue per subscription. stompjs often acks its first
        // window late while the publisher runs on, so the subscriber can lag the head by more than the default
        // retention (100); what is evicted before it is read is missed, with a gap notice (G2), not delivered.
        // Retention above the run keeps the scenario where both servers promise every message.
        StompServer herald = target == Target.HERALD
                ? new StompServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, String.valueOf(10 * TOTAL))) : null;
        URI ws = herald != null ? herald.ws : URI.create("ws://127.0.0.1:15674/ws");
        String run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String destination = "/topic/orders." + run;
        String queueName = "herald-durable-scenario-" + run;
        int total = TOTAL;
        try (CuttableProxy proxy = new CuttableProxy(ws.getPort());
             StompTestClient publisher = StompTestClient.connected(ws, "login", "guest", "passcode", "guest")) {
            Map<String, Object> subscription = new LinkedHashMap<>();
            subscription.put("id", "sub-0");
            subscription.put("destination", destination);
            subscription.put("ack", true);
            subscription.put("headers", Map.of("durable", "true", "auto-delete", "false", "ack", "client-individual",
                    "prefetch-count", "20", "x-queue-name", queueName));
            String url = "ws://127.0.0.1:" + proxy.port() + ws.getPath();
            Map<String, Object> config = Map.of("subscriptions", List.of(subscription), "reconnectDelay", 100,
                    "connectHeaders", Map.of("login", "guest", "passcode", "guest"), "debug", System.getenv("STOMP_DEBUG") != null);
            try (NodeStompClient client = new NodeStompClient(url, config)) {
                client.next("connected");
                // A receipt from a SUBSCRIBE made right after says the durable subscription exists now.
                client.command(Map.of("op", "subscribe", "id", "probe", "destination", "/topic/probe." + run, "receipt", "ready"));
                client.next("receipt");
                List<JsonNode> messages = new ArrayList<>();
                int connects = 1;
                for (int i = 1; i <= total; i++) {
                    publisher.sendAndAwaitReceipt("SEND", headers("destination", destination), String.valueOf(i));
                    if (i == 50 || i == 100) {
                        proxy.cut(true);
                        int before = connects;
                        while (connects == before) {
                            JsonNode node;
                            try {
                                node = client.next(Duration.ofSeconds(20));
                            } catch (AssertionError e) {
                                throw new AssertionError(target + ": no reconnect after the cut at " + i + "; messages so far "
                                        + messages.size() + state(herald), e);
                            }
                            connects += collect(node, messages);
                        }
                    }
                }
                Set<String> seen = new HashSet<>();
                messages.forEach(m -> seen.add(m.get("body").asText()));
                while (seen.size() < total) {
                    JsonNode node;
                    try {
                        node = client.next(Duration.ofSeconds(20));
                    } catch (AssertionError e) {
                        List<Integer> missing = new ArrayList<>();
                        for (int n = 1; n <= total; n++) {
                            if (!seen.contains(String.valueOf(n))) {
                                missing.add(n);
                            }
                        }
                        throw new AssertionError(target + ": stalled with " + seen.size() + " of " + total + " messages seen (missing "
                                + missing + "), " + connects + " connects" + state(herald), e);
                    }
                    if (collect(node, messages) == 0 && node.get("kind").asText().equals("message")) {
                        seen.add(node.get("body").asText());
                    }
                }
                assertThat(connects).isEqualTo(3);
                List<Integer> firsts = new ArrayList<>();
                Set<String> first = new HashSet<>();
                for (JsonNode m : messages) {
                    String body = m.get("body").asText();
                    if (first.add(body)) {
                        firsts.add(Integer.parseInt(body));
                    } else {
                        assertThat(m.get("headers").get("redelivered").asText()).as("%s: repeat of %s", target, body).isEqualTo("true");
                    }
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = 1; i <= total; i++) {
                    expected.add(i);
                }
                assertThat(firsts).as(target.toString()).containsExactlyElementsOf(expected);
            }
        } finally {
            if (herald != null) {
                herald.close();
            } else {
                deleteRabbitQueue(queueName);
            }
        }
    }

    /** What Herald holds for its connections (windows, unacked, engine side), to say why delivery stalled. */
    private static String state(StompServer herald) {
        return herald == null ? "" : "; Herald " + herald.transport().stats() + "\n  " + herald.transport().describeConnections();
    }

    /** Adds a message to {@code into}; returns 1 for a connect. */
    private static int collect(JsonNode node, List<JsonNode> into) {
        String kind = node.get("kind").asText();
        if (kind.equals("message") && node.get("headers").has("herald-missed")) {
            // Messages were lost to retention: they will never come, so waiting for them would only stall.
            throw new AssertionError("Herald's gap notice: messages missed out of retention: " + node.get("headers"));
        }
        if (kind.equals("message") && node.get("subscription").asText().equals("sub-0")) {
            into.add(node);
        }
        return kind.equals("connected") ? 1 : 0;
    }

    private static void deleteRabbitQueue(String name) throws Exception {
        Process p = new ProcessBuilder("rabbitmqctl", "delete_queue", name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
