package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The SSE transport's refusals that concern who may see what: with an API key, the counters and the cursor
 * are admin answers while the streams stay open to anyone a token (or no token secret) lets in; errors Jetty
 * answers before the handler runs are JSON too; no answer names the server software.
 */
@DisplayName("SSE security")
class SseSecurityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "k3y-for-admin";

    private static SseServer keyed() {
        return new SseServer(Settings.defaults().with(HttpSettings.API_KEY, KEY));
    }

    @Test
    @DisplayName("with an API key, the JSON counters on /sse need it; the stream on the same path does not")
    void countersAreAdmin() throws Exception {
        try (SseServer server = keyed()) {
            try (SseTestClient refused = SseTestClient.connect(server.uri, "/sse", Map.of("Accept", "application/json"))) {
                assertThat(refused.status).isEqualTo(401);
                assertThat(refused.headers.get("www-authenticate")).startsWith("Bearer");
                assertThat(JSON.readTree(refused.awaitBody()).get("status").asInt()).isEqualTo(401);
            }
            try (SseTestClient admitted = SseTestClient.connect(server.uri, "/sse",
                    Map.of("Accept", "application/json", "Authorization", "Bearer " + KEY))) {
                assertThat(admitted.status).isEqualTo(200);
                assertThat(JSON.readTree(admitted.awaitBody()).has("connected")).isTrue();
            }
            try (SseTestClient stream = SseTestClient.connect(server.uri, "/sse?channel=/open/a")) {
                assertThat(stream.status).isEqualTo(200);
                assertThat(stream.next().type()).isEqualTo("lastEventId");
            }
        }
    }

    @Test
    @DisplayName("with an API key, the cursor needs it: the application's backend asks for it, not the browser")
    void cursorIsAdmin() throws Exception {
        try (SseServer server = keyed()) {
            try (SseTestClient refused = SseTestClient.connect(server.uri, "/api/cursor?channel=/a/b")) {
                assertThat(refused.status).isEqualTo(401);
                assertThat(refused.headers.get("content-type")).startsWith("application/json");
            }
            try (SseTestClient admitted = SseTestClient.connect(server.uri, "/api/cursor?channel=/a/b", Map.of("Authorization", "Bearer " + KEY))) {
                assertThat(admitted.status).isEqualTo(200);
                assertThat(JSON.readTree(admitted.awaitBody()).get("lastEventId").asText()).isNotEmpty();
            }
        }
    }

    @Test
    @DisplayName("a malformed %-escape in the query is a JSON 400, with CORS and without a Server header")
    void badEscapesAreJson() throws Exception {
        try (SseServer server = new SseServer(); SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=%zz")) {
            assertThat(client.status).isEqualTo(400);
            assertThat(client.headers.get("content-type")).startsWith("application/json");
            assertThat(client.headers).doesNotContainKey("server");
            assertThat(JSON.readTree(client.awaitBody()).get("status").asInt()).isEqualTo(400);
            assertThat(server.herald.engine().stats().subscriptions()).isZero();
        }
    }
}
