package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.api.Payload;
import io.herald.api.Publication;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("GET /api/history")
class HistoryApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--history-size", "5");
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

    private static void publish(String channel, int count) {
        for (int i = 1; i <= count; i++) {
            assertThat(server.publish(channel, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
    }

    private static List<Long> offsets(JsonNode history) {
        List<Long> offsets = new ArrayList<>();
        history.get("messages").forEach(m -> offsets.add(m.get("position").get("offset").asLong()));
        return offsets;
    }

    @Test
    @DisplayName("answers an empty history for a channel never published to")
    void emptyChannel() throws IOException {
        JsonNode history = ok("/api/history?channel=/hist/empty");
        assertThat(history.get("channel").asText()).isEqualTo("/hist/empty");
        assertThat(history.get("epoch").asText()).isNotEmpty();
        assertThat(history.get("head").asLong()).isZero();
        assertThat(history.get("messages")).isEmpty();
        assertThat(history.get("gap").isNull()).isTrue();
        assertThat(history.get("complete").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("lists every field of a message, in order, from the oldest")
    void messageFields() throws IOException {
        Instant before = Instant.now();
        publish("/hist/fields", 2);
        JsonNode history = ok("/api/history?channel=hist/fields");
        assertThat(history.get("channel").asText()).isEqualTo("/hist/fields");
        assertThat(offsets(history)).containsExactly(1L, 2L);
        JsonNode first = history.get("messages").get(0);
        assertThat(first.fieldNames()).toIterable().containsExactly("id", "channel", "position", "event", "data", "timestamp");
        assertThat(first.get("channel").asText()).isEqualTo("/hist/fields");
        assertThat(first.get("position").get("epoch").asText()).isEqualTo(history.get("epoch").asText());
        assertThat(first.get("data").get("n").asInt()).isEqualTo(1);
        assertThat(Instant.parse(first.get("timestamp").asText())).isAfterOrEqualTo(before.minusSeconds(1));
    }

    @Test
    @DisplayName("pages with after and limit")
    void paging() throws IOException {
        publish("/hist/paging", 5);
        JsonNode page1 = ok("/api/history?channel=/hist/paging&limit=2");
        assertThat(offsets(page1)).containsExactly(1L, 2L);
        assertThat(page1.get("complete").asBoolean()).isFalse();
        JsonNode page2 = ok("/api/history?channel=/hist/paging&after=2&limit=2");
        assertThat(offsets(page2)).containsExactly(3L, 4L);
        JsonNode rest = ok("/api/history?channel=/hist/paging&after=4");
        assertThat(offsets(rest)).containsExactly(5L);
        assertThat(rest.get("complete").asBoolean()).isTrue();
        assertThat(rest.get("head").asLong()).isEqualTo(5);
        assertThat(ok("/api/history?channel=/hist/paging&after=5").get("messages")).isEmpty();
    }

    @Test
    @DisplayName("reports a retention gap when after is older than what is kept")
    void retentionGap() throws IOException {
        publish("/hist/gap", 8);
        JsonNode kept = ok("/api/history?channel=/hist/gap");
        assertThat(offsets(kept)).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(kept.get("gap").isNull()).isTrue();

        JsonNode history = ok("/api/history?channel=/hist/gap&after=1");
        assertThat(offsets(history)).containsExactly(4L, 5L, 6L, 7L, 8L);
        JsonNode gap = history.get("gap");
        assertThat(gap.get("after").asLong()).isEqualTo(1);
        assertThat(gap.get("firstAvailable").asLong()).isEqualTo(4);
        assertThat(gap.get("missed").asLong()).isEqualTo(2);
        assertThat(gap.get("reset").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("reports a reset for an unknown epoch or an offset beyond the head")
    void reset() throws IOException {
        publish("/hist/reset", 2);
        JsonNode otherEpoch = ok("/api/history?channel=/hist/reset&epoch=gone1&after=1");
        assertThat(otherEpoch.get("messages")).isEmpty();
        assertThat(otherEpoch.get("gap").get("reset").asBoolean()).isTrue();
        assertThat(otherEpoch.get("gap").get("missed").isNull()).isTrue();
        assertThat(otherEpoch.get("gap").get("firstAvailable").asLong()).isEqualTo(3);

        JsonNode ahead = ok("/api/history?channel=/hist/reset&after=99");
        assertThat(ahead.get("gap").get("reset").asBoolean()).isTrue();

        String epoch = otherEpoch.get("epoch").asText();
        JsonNode sameEpoch = ok("/api/history?channel=/hist/reset&epoch=" + epoch + "&after=1");
        assertThat(offsets(sameEpoch)).containsExactly(2L);
        assertThat(sameEpoch.get("gap").isNull()).isTrue();
        assertThat(offsets(ok("/api/history?channel=/hist/reset&epoch=" + epoch))).containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("embeds a non-JSON payload as a string, with its content type")
    void textPayload() throws IOException {
        ChannelName channel = ChannelName.of("/hist/text");
        server.server().herald().publish(new Publication(channel, null, null, Payload.utf8("plain <b>text</b> \"q\""), "text/plain", Map.of()));
        server.server().herald().publish(new Publication(channel, null, null, Payload.utf8("{not json"), Publication.JSON, Map.of()));
        server.server().herald().publish(new Publication(channel, null, null, Payload.utf8("{\"a\":1} {\"b\":2}"), Publication.JSON, Map.of()));

        JsonNode messages = ok("/api/history?channel=/hist/text").get("messages");
        assertThat(messages.get(0).get("data").asText()).isEqualTo("plain <b>text</b> \"q\"");
        assertThat(messages.get(0).get("contentType").asText()).isEqualTo("text/plain");
        assertThat(messages.get(1).get("data").asText()).isEqualTo("{not json");
        assertThat(messages.get(2).get("data").asText()).isEqualTo("{\"a\":1} {\"b\":2}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/api/history                                       | parameter 'channel' is missing",
        "/api/history?channel=                              | parameter 'channel' is missing",
        "/api/history?channel=/hist/*                       | wildcard",
        "/api/history?channel=/hist/**                      | wildcard",
        "/api/history?channel=/meta/connect                 | reserved",
        "/api/history?channel=/service/x                    | reserved",
        "/api/history?channel=/a%20b                        | not allowed in a channel name",
        "/api/history?channel=/caf%C3%A9                    | character 'é' is not allowed in a channel name",
        "/api/history?channel=/hist/x&after=abc             | parameter 'after' must be a whole number",
        "/api/history?channel=/hist/x&after=-1              | parameter 'after' must be within 0..",
        "/api/history?channel=/hist/x&limit=0               | parameter 'limit' must be within 1..1000",
        "/api/history?channel=/hist/x&limit=1001            | parameter 'limit' must be within 1..1000",
        "/api/history?channel=/hist/x&limit=1&limit=2       | parameter 'limit' is given 2 times",
        "/api/history?channel=/hist/x&epoch=no-dashes       | parameter 'epoch' must be 1 to 16",
        "/api/history?channel=/hist/x&channel=/hist/y       | parameter 'channel' is given 2 times",
    })
    @DisplayName("refuses bad parameters with 400")
    void refusesBadParameters(String pathAndQuery, String expected) throws IOException {
        HttpResponse<String> response = server.get(pathAndQuery);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("status").asInt()).isEqualTo(400);
        assertThat(error.get("error").asText()).contains(expected);
    }

    @Test
    @DisplayName("refuses a query string with a broken %-escape with 400")
    void brokenEscape() {
        String response = server.raw("GET /api/history?channel=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400").contains("malformed query string");
    }

    @Test
    @DisplayName("answers 405 with Allow: GET to POST")
    void wrongMethod() {
        HttpResponse<String> response = server.post("/api/history?channel=/hist/x", "{}");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    @DisplayName("returns at most 1000 messages per request")
    void maxLimit() throws IOException {
        try (TestServer big = TestServer.start("--history-size", "1200")) {
            for (int i = 0; i < 1100; i++) {
                big.server().herald().publish(ChannelName.of("/hist/big"), "{\"i\":" + i + "}");
            }
            JsonNode history = JSON.readTree(big.get("/api/history?channel=/hist/big&limit=1000").body());
            assertThat(history.get("messages")).hasSize(1000);
            assertThat(history.get("complete").asBoolean()).isFalse();
            assertThat(JSON.readTree(big.get("/api/history?channel=/hist/big").body()).get("messages")).hasSize(100);
        }
    }
}
