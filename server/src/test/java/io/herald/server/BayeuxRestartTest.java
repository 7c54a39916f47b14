package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A Bayeux client id outlives a server restart on Redis (G3): the server stops (held connects answered, cursors
 * kept in the session), a new server starts on the same Redis, messages are published there, and the client's
 * next connect with its old id, without a handshake, gets exactly those, in order.
 */
class BayeuxRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode bayeux(TestServer server, String messages) throws Exception {
        HttpResponse<String> response = server.post("/bayeux", messages);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> connect(TestServer server, String clientId) throws Exception {
        List<String> data = new ArrayList<>();
        JsonNode response = bayeux(server, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"long-polling\",\"advice\":{\"timeout\":0}}]");
        assertThat(response.get(0).get("successful").asBoolean()).as(response.toString()).isTrue();
        response.forEach(m -> {
            if (m.has("data")) {
                data.add(m.get("data").toString());
            }
        });
        return data;
    }

    /**
     * Connects (timeout 0) until {@code expected} many messages came, and returns all of them: a live publish
     * reaches the node through Redis pub/sub, so one immediate connect may run before it arrives. Everything
     * received is kept, so a duplicate or a stray message still fails the caller's exact assertion.
     */
    private static List<String> receive(TestServer server, String clientId, int expected) {
        List<String> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            received.addAll(connect(server, clientId));
            return received.size() >= expected;
        });
        return received;
    }

    private static void publish(TestServer server, int n) {
        HttpResponse<String> response = server.post("/api/publish", "{\"channel\":\"/restart/a\",\"data\":{\"n\":" + n + "}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void theClientIdResumesOnANewServerOverRedis() throws Exception {
        String[] args = {"--store", "redis", "--redis-prefix", "herald-bayeux-restart-" + UUID.randomUUID() + ":",
            "--transports", "bayeux"};
        String clientId;
        try (TestServer first = TestServer.start(args)) {
            clientId = bayeux(first, "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"long-polling\"]}]")
                    .get(0).get("clientId").asText();
            connect(first, clientId);
            JsonNode subscribed = bayeux(first, "[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId
                    + "\",\"subscription\":\"/restart/a\"}]").get(0);
            assertThat(subscribed.get("successful").asBoolean()).isTrue();
            publish(first, 1);
            publish(first, 2);
            assertThat(receive(first, clientId, 2)).containsExactly("{\"n\":1}", "{\"n\":2}");
        }
        try (TestServer second = TestServer.start(args)) {
            publish(second, 3);
            publish(second, 4);
            assertThat(receive(second, clientId, 2)).containsExactly("{\"n\":3}", "{\"n\":4}");
            publish(second, 5);
            assertThat(receive(second, clientId, 1)).containsExactly("{\"n\":5}");
            assertThat(connect(second, clientId)).as("nothing more, nothing twice").isEmpty();
        }
    }
}
