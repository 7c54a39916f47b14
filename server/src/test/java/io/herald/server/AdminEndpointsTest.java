package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.ChannelName;
import io.herald.api.PresenceStore;
import io.herald.core.HealthCheck;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("presence, stats, metrics, health and unknown paths")
class AdminEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode ok(String pathAndQuery) throws IOException {
        HttpResponse<String> response = server.get(pathAndQuery);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    @DisplayName("GET /api/presence lists the users of a channel in the order they came online, with their connections")
    void members() throws IOException {
        PresenceStore presence = server.server().herald().injector().getInstance(PresenceStore.class);
        ChannelName room = ChannelName.of("/lobby/room");
        presence.arrive(room, "c1", "alice", Map.of("name", "Alice"), Duration.ofMinutes(1));
        presence.arrive(room, "c2", "bob", Map.of(), Duration.ofMinutes(1));
        presence.arrive(room, "c3", "alice", Map.of("name", "Alice"), Duration.ofMinutes(1));
        presence.arrive(ChannelName.of("/lobby/other"), "c4", "carol", Map.of(), Duration.ofMinutes(1));

        JsonNode answer = ok("/api/presence?channel=lobby/room");
        assertThat(answer.get("channel").asText()).isEqualTo("/lobby/room");
        JsonNode members = answer.get("members");
        assertThat(members).hasSize(2);
        assertThat(members.get(0).get("user").asText()).isEqualTo("alice");
        assertThat(members.get(0).get("connections").asInt()).isEqualTo(2);
        assertThat(members.get(0).get("info").get("name").asText()).isEqualTo("Alice");
        assertThat(members.get(0).get("since").asText()).isNotEmpty();
        assertThat(members.get(1).get("user").asText()).isEqualTo("bob");
        assertThat(members.get(1).get("connections").asInt()).isEqualTo(1);
        assertThat(members.get(1).get("info").isEmpty()).isTrue();
    }

    @Test
    @DisplayName("GET /api/presence answers no members for an empty channel, 400 for a bad one")
    void emptyAndBad() throws IOException {
        assertThat(ok("/api/presence?channel=/lobby/nobody").get("members")).isEmpty();
        assertThat(server.get("/api/presence").statusCode()).isEqualTo(400);
        assertThat(server.get("/api/presence?channel=/lobby/*").statusCode()).isEqualTo(400);
        assertThat(server.post("/api/presence?channel=/lobby/room", "").statusCode()).isEqualTo(405);
        assertThat(ok("/api/presence/time?channel=/lobby/nobody&user=x").get("millis").asLong()).isZero();
    }

    @Test
    @DisplayName("GET /api/stats counts publications and tells uptime, store and version")
    void stats() throws IOException {
        long before = ok("/api/stats").get("published").asLong();
        server.publish("/stats/a", "1");
        server.publish("/stats/b", "2");

        JsonNode stats = ok("/api/stats");
        assertThat(stats.get("published").asLong()).isEqualTo(before + 2);
        assertThat(stats.fieldNames()).toIterable().contains("delivered", "gaps", "cutOffs", "subscriptions", "channels");
        assertThat(stats.get("uptimeSeconds").asLong()).isNotNegative();
        assertThat(stats.get("startedAt").asText()).isNotEmpty();
        assertThat(stats.get("store").asText()).isEqualTo("memory");
        java.util.List<String> transports = new java.util.ArrayList<>();
        stats.get("transports").forEach(t -> transports.add(t.asText()));
        assertThat(transports).containsExactly("sse", "stomp", "bayeux");
        assertThat(stats.get("version").asText()).isEqualTo(ServerVersion.VALUE).isNotEqualTo("unknown");
    }

    @Test
    @DisplayName("with no --transports, Bayeux is served beside SSE and STOMP: a handshake on /bayeux succeeds")
    void bayeuxIsServedByDefault() throws IOException {
        HttpResponse<String> response = server.post("/bayeux", "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"supportedConnectionTypes\":[\"long-polling\"]}]", "Content-Type", "application/json");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode reply = new ObjectMapper().readTree(response.body()).get(0);
        assertThat(reply.get("successful").asBoolean()).as(response.body()).isTrue();
        assertThat(reply.get("clientId").asText()).isNotEmpty();
    }

    @Test
    @DisplayName("GET /metrics serves Prometheus text with Herald's and the JVM's meters")
    void metrics() {
        server.publish("/metrics/a", "1");
        HttpResponse<String> response = server.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body())
                .containsPattern("(?m)^herald_messages_published_total [1-9]")
                .contains("# TYPE herald_messages_published_total counter")
                .contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_uptime_seconds");

        HttpResponse<String> openMetrics = server.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(openMetrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(openMetrics.body()).contains("herald_messages_published_total").endsWith("# EOF\n");
    }

    @Test
    @DisplayName("GET /health answers 200 UP with every check once started")
    void healthUp() throws IOException {
        JsonNode health = ok("/health");
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.get("checks").get("herald").asText()).isEqualTo("UP");
        assertThat(health.get("checks").get("http").asText()).isEqualTo("UP");
    }

    @Test
    @DisplayName("GET /health answers 503 DOWN naming the check that fails")
    void healthDown() throws IOException {
        AbstractModule failing = new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().toInstance(new HealthCheck() {
                    @Override
                    public String name() {
                        return "store";
                    }

                    @Override
                    public String problem() {
                        return "store unreachable at 127.0.0.1:1";
                    }
                });
            }
        };
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        try (TestServer sick = TestServer.of(HeraldServer.start(settings, failing))) {
            HttpResponse<String> response = sick.get("/health");
            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode health = JSON.readTree(response.body());
            assertThat(health.get("status").asText()).isEqualTo("DOWN");
            assertThat(health.get("checks").get("store").asText()).isEqualTo("store unreachable at 127.0.0.1:1");
            assertThat(health.get("checks").get("http").asText()).isEqualTo("UP");
        }
    }

    @Test
    @DisplayName("answers a JSON 404 for unknown paths, whatever the method")
    void unknownPath() throws IOException {
        for (String path : new String[] {"/nope", "/api/nope", "/api/publish/extra", "/", "/metrics/x"}) {
            HttpResponse<String> response = server.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains(path);
        }
        assertThat(server.post("/nope", "{}").statusCode()).isEqualTo(404);
    }
}
