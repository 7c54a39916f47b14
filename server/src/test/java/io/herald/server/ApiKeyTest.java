package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("with --api-key")
class ApiKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "s3cret-key";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--api-key", KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/api/history?channel=/k/a", "/api/presence?channel=/k/a", "/api/stats"})
    @DisplayName("every /api endpoint answers 401 with WWW-Authenticate: Bearer without the key")
    void readRequiresKey(String pathAndQuery) throws IOException {
        HttpResponse<String> missing = server.get(pathAndQuery);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("Authorization: Bearer");

        HttpResponse<String> wrong = server.get(pathAndQuery, "Authorization", "Bearer nope");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer").contains("invalid_token"));

        assertThat(server.get(pathAndQuery, "Authorization", "Basic " + KEY).statusCode()).isEqualTo(401);
        assertThat(server.get(pathAndQuery, "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
        assertThat(server.get(pathAndQuery, "Authorization", "bearer " + KEY).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("publish without the key answers 401 and stores nothing; with it, 200")
    void publishRequiresKey() throws IOException {
        HttpResponse<String> refused = server.publish("/k/pub", "{\"a\":1}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(server.publish("/k/pub", "{\"a\":1}", "Authorization", "Bearer " + KEY + "x").statusCode()).isEqualTo(401);

        JsonNode history = JSON.readTree(server.get("/api/history?channel=/k/pub", "Authorization", "Bearer " + KEY).body());
        assertThat(history.get("head").asLong()).isZero();

        assertThat(server.publish("/k/pub", "{\"a\":1}", "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
        history = JSON.readTree(server.get("/api/history?channel=/k/pub", "Authorization", "Bearer " + KEY).body());
        assertThat(history.get("head").asLong()).isEqualTo(1);
    }

    @Test
    @DisplayName("/health stays open; /metrics is admin like /api/stats")
    void healthOpenMetricsGuarded() {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/metrics").statusCode()).isEqualTo(401);
        assertThat(server.get("/metrics", "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
    }
}
