package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.auth.HmacTokens;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SseRefusalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode refusal(SseServer server, String query, int status) throws Exception {
        try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?" + query)) {
            assertThat(client.status).as(query).isEqualTo(status);
            assertThat(client.headers.get("content-type")).startsWith("application/json");
            assertThat(client.headers.get("access-control-allow-origin")).isEqualTo("*");
            JsonNode body = JSON.readTree(client.awaitBody());
            assertThat(body.get("status").asInt()).isEqualTo(status);
            return body;
        }
    }

    @Nested
    class WithoutTokens {

        @Test
        void badRequestsGetAClearJsonErrorAndSubscribeNothing() throws Exception {
            try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.MAX_CHANNELS, "3"))) {
                assertThat(refusal(server, "", 400).get("error").asText()).contains("no channel given");
                assertThat(refusal(server, "channel=a%20b", 400).get("error").asText()).contains("invalid channel '/a b'");
                assertThat(refusal(server, "channel=chat/*", 400).get("error").asText()).contains("wildcards are not allowed");
                assertThat(refusal(server, "channel=meta/connect", 400).get("error").asText()).contains("reserved");
                assertThat(refusal(server, "channel=a&channel=b&channel=c&channel=d", 400).get("error").asText())
                        .isEqualTo("too many channels: 4 > 3");
                assertThat(server.herald.engine().stats().subscriptions()).isZero();
                assertThat(server.transport().stats.connected.get()).isZero();
            }
        }

        @Test
        void onlyGetAndOptionsAreAllowed() throws Exception {
            try (SseServer server = new SseServer()) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri.resolve("/sse?channel=a"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(405);
                assertThat(response.headers().firstValue("allow")).hasValue("GET, OPTIONS");
            }
        }
    }

    @Nested
    class WithTokens {

        private final HmacTokens tokens = new HmacTokens("secret");

        private SseServer server() {
            return new SseServer(Settings.defaults().with(CoreSettings.TOKEN_SECRET, "secret"));
        }

        @Test
        void aMissingForgedOrExpiredTokenIs401() throws Exception {
            try (SseServer server = server()) {
                assertThat(refusal(server, "channel=a", 401).get("error").asText()).isEqualTo("a token is required");
                String forged = new HmacTokens("other").mint("eve", List.of(ChannelName.of("/a")), Duration.ofMinutes(1));
                assertThat(refusal(server, "channel=a&token=" + forged, 401).get("error").asText()).contains("signature");
                assertThat(server.herald.engine().stats().subscriptions()).isZero();
            }
        }

        @Test
        void aChannelTheTokenDoesNotGrantIs403AndNothingIsSubscribed() throws Exception {
            try (SseServer server = server()) {
                String token = tokens.mint("alice", List.of(ChannelName.of("/chat/**")), Duration.ofMinutes(1));
                assertThat(refusal(server, "channel=chat/a&channel=admin&token=" + token, 403).get("error").asText())
                        .isEqualTo("'alice' may not subscribe to /admin");
                assertThat(server.herald.engine().stats().subscriptions()).isZero();
            }
        }

        @Test
        void theTokenCanCarryTheChannelsInTheQueryOrTheHeader() throws Exception {
            try (SseServer server = server()) {
                String token = tokens.mint("alice", List.of(ChannelName.of("/chat/a"), ChannelName.of("/news/**")), Duration.ofMinutes(1));
                try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?token=" + token)) {
                    assertThat(client.status).isEqualTo(200);
                    client.next();
                    server.herald.publish(ChannelName.of("/chat/a"), "{\"x\":1}");
                    server.herald.publish(ChannelName.of("/news/today"), "{\"x\":2}");
                    assertThat(client.nextMessage().data()).isEqualTo("{\"x\":1}");
                    assertThat(client.nextMessage().data()).isEqualTo("{\"x\":2}");
                }
                try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=chat/a", Map.of("Authorization", "Bearer " + token))) {
                    assertThat(client.status).isEqualTo(200);
                }
            }
        }
    }

    @Nested
    class Cors {

        @Test
        void withoutOriginsEverythingIsAllowedWithoutCredentials() throws Exception {
            try (SseServer server = new SseServer();
                 SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=a", Map.of("Origin", "http://app.example"))) {
                assertThat(client.headers.get("access-control-allow-origin")).isEqualTo("*");
                assertThat(client.headers).doesNotContainKey("access-control-allow-credentials");
            }
        }

        @Test
        void listedOriginsAreEchoedWithCredentialsOthersGetNothing() throws Exception {
            try (SseServer server = new SseServer(Settings.defaults().with(HttpSettings.CORS_ORIGINS, "http://app.example,http://other.example"))) {
                try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=a", Map.of("Origin", "http://app.example"))) {
                    assertThat(client.headers.get("access-control-allow-origin")).isEqualTo("http://app.example");
                    assertThat(client.headers.get("access-control-allow-credentials")).isEqualTo("true");
                    assertThat(client.headers.get("vary")).contains("Origin");
                }
                try (SseTestClient client = SseTestClient.connect(server.uri, "/sse?channel=a", Map.of("Origin", "http://evil.example"))) {
                    assertThat(client.headers).doesNotContainKey("access-control-allow-origin");
                }
            }
        }

        @Test
        void aPreflightAllowsTheLastEventIdHeader() throws Exception {
            try (SseServer server = new SseServer(Settings.defaults().with(HttpSettings.CORS_ORIGINS, "http://app.example"))) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri.resolve("/sse?channel=a"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "http://app.example")
                        .header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "last-event-id").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(204);
                assertThat(response.headers().firstValue("access-control-allow-headers").orElseThrow()).contains("last-event-id");
                assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
                assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
            }
        }
    }

    @Test
    void idsStayShortAndSafeForManyChannels() {
        List<io.herald.api.Position> positions = IntStream.range(0, 10)
                .mapToObj(i -> new io.herald.api.Position("AbCd1234", 1_000_000L + i)).collect(Collectors.toList());
        String id = SseEventId.encode(positions);
        assertThat(id).matches("[A-Za-z0-9._]+").hasSizeLessThanOrEqualTo(128);
        List<ChannelName> channels = IntStream.range(0, 10).mapToObj(i -> ChannelName.of("/c" + i)).toList();
        assertThat(SseEventId.decode(id, channels)).isEqualTo(positions);
        assertThat(SseEventId.decode(id, channels.subList(0, 9))).isNull();
        assertThat(SseEventId.decode("x.zz_", channels.subList(0, 2))).isNull();
        assertThat(SseEventId.decode("no-dot", channels.subList(0, 1))).isNull();
        assertThat(SseEventId.decode(".5", channels.subList(0, 1))).isNull();
        assertThat(SseEventId.decode("e.-5", channels.subList(0, 1))).isNull();
        URI.create("http://x/?lastEventId=" + id);
    }
}
