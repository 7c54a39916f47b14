package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.auth.HmacTokens;
import io.herald.testkit.http.SseStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /api/presence} and {@code /api/presence/time} with the presence extension, an API key and client tokens. */
@DisplayName("the presence HTTP API")
class PresenceApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "admin-key";
    private static final String SECRET = "token-secret";
    private static final HmacTokens TOKENS = new HmacTokens(SECRET);
    private static final String ALICE = TOKENS.mint("alice", List.of(ChannelName.of("/chat/**")), Duration.ofHours(1));
    private static final String BOB = TOKENS.mint("bob", List.of(ChannelName.of("/chat/**")), Duration.ofHours(1));
    /** May read the room and its presence. */
    private static final String CAROL = TOKENS.mint("carol", List.of(ChannelName.of("/chat/**"), ChannelName.of("/presence/chat/**")),
            Duration.ofHours(1));
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--extensions", "presence", "--api-key", KEY, "--token-secret", SECRET, "--presence-grace", "5s");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> admin(String pathAndQuery) {
        return server.get(pathAndQuery, "Authorization", "Bearer " + KEY);
    }

    private static SseStream stream(String channel, String token) {
        return SseStream.open(server.uri("/sse?channel=" + channel + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null);
    }

    @Test
    @DisplayName("lists the users of live SSE streams, one entry per user with their connections; time accumulates")
    void listsLiveMembers() throws IOException {
        try (SseStream first = stream("/chat/list", ALICE); SseStream second = stream("/chat/list", ALICE);
             SseStream bob = stream("/chat/list", BOB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> admin("/api/presence?channel=/chat/list").body().contains("\"bob\""));
            JsonNode answer = ok(admin("/api/presence?channel=chat/list"));

            assertThat(answer.get("channel").asText()).isEqualTo("/chat/list");
            JsonNode members = answer.get("members");
            assertThat(members).as("members: %s", members).hasSize(2);
            assertThat(members.get(0).get("user").asText()).isEqualTo("alice");
            assertThat(members.get(0).get("connections").asInt()).as("alice's connections").isEqualTo(2);
            assertThat(members.get(0).get("since").asText()).isNotEmpty();
            assertThat(members.get(1).get("user").asText()).isEqualTo("bob");
            assertThat(members.get(1).get("connections").asInt()).as("bob's connections").isEqualTo(1);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ok(admin("/api/presence/time?channel=/chat/list&user=alice")).get("millis").asLong() > 0);
            String aliceWatching = TOKENS.mint("alice", List.of(ChannelName.of("/presence/chat/**")), Duration.ofHours(1));
            JsonNode time = ok(server.get("/api/presence/time?channel=/chat/list", "Authorization", "Bearer " + aliceWatching));
            assertThat(time.get("user").asText()).as("the user of a token's own time").isEqualTo("alice");
            assertThat(time.get("seconds").asLong()).isEqualTo(time.get("millis").asLong() / 1000);
            JsonNode all = ok(admin("/api/presence/time?channel=/chat/list"));
            assertThat(all.get("users")).extracting(u -> u.get("user").asText()).containsExactlyInAnyOrder("alice", "bob");
        }
    }

    @Test
    @DisplayName("a stream that closes leaves a user with no connection listed within the grace")
    void closedStreamWithinTheGrace() throws IOException {
        SseStream only = stream("/chat/grace", BOB);
        await().atMost(Duration.ofSeconds(10)).until(() -> admin("/api/presence?channel=/chat/grace").body().contains("\"bob\""));
        only.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> admin("/api/presence?channel=/chat/grace").body().contains("\"connections\":0"));
        assertThat(ok(admin("/api/presence?channel=/chat/grace")).get("members")).hasSize(1);
    }

    @Nested
    @DisplayName("who may read")
    class Access {

        @Test
        @DisplayName("a token granting the companion channel reads members and its own time; the key reads everything")
        void grantedToken() throws IOException {
            assertThat(ok(server.get("/api/presence?channel=/chat/room", "Authorization", "Bearer " + CAROL)).get("members")).isEmpty();
            assertThat(ok(server.get("/api/presence/time?channel=/chat/room&user=carol&token=" + CAROL)).get("millis").asLong()).isZero();
            assertThat(ok(admin("/api/presence/time?channel=/chat/room&user=anyone")).get("user").asText()).isEqualTo("anyone");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "no credentials                     | /api/presence?channel=/chat/room                       |       | 401 | Authorization: Bearer",
                "a token of another secret          | /api/presence?channel=/chat/room                       | OTHER | 401 | ",
                "a token without the companion      | /api/presence?channel=/chat/room                       | ALICE | 403 | /presence/chat/room",
                "time without the companion         | /api/presence/time?channel=/chat/room                  | ALICE | 403 | /presence/chat/room",
                "another user's time                | /api/presence/time?channel=/chat/room&user=alice       | CAROL | 403 | 'alice'",
                "every user's time                  | /api/presence/time?channel=/chat/room&user=            | KEY   | 400 | 'user'",
                "a user given twice                 | /api/presence/time?channel=/chat/room&user=a&user=b    | KEY   | 400 | 2 times",
                "no channel                         | /api/presence/time?user=a                              | KEY   | 400 | 'channel' is missing",
                "a pattern                          | /api/presence?channel=/chat/*                          | KEY   | 400 | pattern",
                "a malformed channel                | /api/presence?channel=/chat//x                         | KEY   | 400 | ",
                "a reserved channel                 | /api/presence?channel=/meta/x                          | KEY   | 400 | reserved"})
        @DisplayName("refusals")
        void refusals(String what, String pathAndQuery, String who, int status, String message) {
            String token = who == null ? null : switch (who) {
                case "ALICE" -> ALICE;
                case "CAROL" -> CAROL;
                case "KEY" -> KEY;
                default -> new HmacTokens("another secret").mint("eve", List.of(ChannelName.of("/presence/**")), Duration.ofHours(1));
            };
            HttpResponse<String> response = token == null ? server.get(pathAndQuery) : server.get(pathAndQuery, "Authorization", "Bearer " + token);
            assertThat(response.statusCode()).as("%s: %s", what, response.body()).isEqualTo(status);
            if (message != null) {
                assertThat(response.body()).as(what).contains(message);
            }
            if (status == 401) {
                assertThat(response.headers().firstValue("WWW-Authenticate")).as("challenge for %s", what).isPresent();
            }
        }

        @Test
        @DisplayName("POST is refused with 405")
        void post() {
            assertThat(server.post("/api/presence/time?channel=/chat/room", "", "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(405);
        }
    }

    @Test
    @DisplayName("with --api-presence-others a token that reads the presence reads others' time too")
    void others() throws IOException {
        try (TestServer open = TestServer.start("--extensions", "presence", "--api-key", KEY, "--token-secret", SECRET,
                "--api-presence-others", "true")) {
            JsonNode time = ok(open.get("/api/presence/time?channel=/chat/room&user=alice", "Authorization", "Bearer " + CAROL));
            assertThat(time.get("user").asText()).isEqualTo("alice");
            assertThat(open.get("/api/presence/time?channel=/chat/room&user=alice", "Authorization", "Bearer " + ALICE).statusCode())
                    .as("a token without the companion channel").isEqualTo(403);
        }
    }
}
