package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("POST /api/publish with a JSON array (batch)")
class PublishBatchApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--publish-batch-max", "5", "--publish-batch-max-bytes", "4KiB");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static JsonNode history(String channel) throws IOException {
        HttpResponse<String> response = server.get("/api/history?channel=" + channel);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode batch(String body) throws IOException {
        HttpResponse<String> response = server.post("/api/publish", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        return json(response);
    }

    @Test
    @DisplayName("publishes every element and answers each position, in array order")
    void publishesInOrder() throws IOException {
        JsonNode answer = batch("""
                [ {"channel":"/batch/a","data":{"n":1}},
                  {"channel":"batch/b","data":"two","event":"e.2"},
                  {"channel":"/batch/a","data":[3, 3.0],"id":"three"} ]""");

        assertThat(answer.get("published").asInt()).isEqualTo(3);
        assertThat(answer.get("failed").asInt()).isZero();
        JsonNode results = answer.get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("channel").asText()).isEqualTo("/batch/a");
        assertThat(results.get(0).get("position").get("offset").asLong()).isEqualTo(1);
        assertThat(results.get(1).get("channel").asText()).isEqualTo("/batch/b");
        assertThat(results.get(1).get("position").get("offset").asLong()).isEqualTo(1);
        assertThat(results.get(2).get("id").asText()).isEqualTo("three");
        assertThat(results.get(2).get("position").get("offset").asLong()).isEqualTo(2);

        String a = server.get("/api/history?channel=/batch/a").body();
        assertThat(a).contains("\"data\":{\"n\":1}", "\"data\":[3, 3.0]");
        assertThat(a.indexOf("{\"n\":1}")).isLessThan(a.indexOf("[3, 3.0]"));
        assertThat(server.get("/api/history?channel=/batch/b").body()).contains("\"event\":\"e.2\"", "\"data\":\"two\"");
    }

    @Test
    @DisplayName("refuses each bad element with its own status and reason; the others are published")
    void eachElementOnItsOwn() throws IOException {
        String tooLarge = "\"" + "x".repeat(64 * 1024) + "\"";
        try (TestServer roomy = TestServer.start("--publish-batch-max-bytes", "1MiB")) {
            HttpResponse<String> response = roomy.post("/api/publish", "["
                    + "{\"channel\":\"/mixed/ok\",\"data\":1},"
                    + "{\"channel\":\"/mixed/bad/*\",\"data\":2},"
                    + "{\"channel\":\"/mixed/bad\",\"data\":3,\"extra\":{\"deep\":[1,{\"x\":2}]}},"
                    + "{\"channel\":\"/mixed/bad\",\"data\":" + tooLarge + "},"
                    + "7,"
                    + "{\"channel\":\"/mixed/bad\",\"data\":4,\"event\":\"missedevents\"},"
                    + "{\"channel\":{\"not\":\"a string\"},\"data\":5},"
                    + "{\"channel\":\"/meta/connect\",\"data\":6},"
                    + "{\"channel\":\"/mixed/ok\",\"data\":8}"
                    + "]", "Content-Type", "application/json");
            // More than the default batch-max of 1000 is not reached; nine elements, two valid.
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode answer = json(response);
            assertThat(answer.get("published").asInt()).isEqualTo(2);
            assertThat(answer.get("failed").asInt()).isEqualTo(7);
            JsonNode results = answer.get("results");
            assertThat(results).hasSize(9);
            assertThat(results.get(0).get("position").get("offset").asLong()).isEqualTo(1);
            assertRefused(results.get(1), 400, "wildcard pattern");
            assertRefused(results.get(2), 400, "unknown field 'extra'");
            assertRefused(results.get(3), 413, "65538 bytes");
            assertRefused(results.get(4), 400, "must be a JSON object");
            assertRefused(results.get(5), 400, "reserved");
            assertRefused(results.get(6), 400, "'channel' must be a string");
            assertRefused(results.get(7), 400, "reserved");
            assertThat(results.get(8).get("position").get("offset").asLong()).isEqualTo(2);

            JsonNode ok = JSON.readTree(roomy.get("/api/history?channel=/mixed/ok").body());
            assertThat(ok.get("head").asLong()).isEqualTo(2);
            assertThat(ok.get("messages").get(0).get("data").asInt()).isEqualTo(1);
            assertThat(ok.get("messages").get(1).get("data").asInt()).isEqualTo(8);
            assertThat(JSON.readTree(roomy.get("/api/history?channel=/mixed/bad").body()).get("head").asLong()).isZero();
        }
    }

    private static void assertRefused(JsonNode result, int status, String reason) {
        assertThat(result.has("position")).as("%s is refused", result).isFalse();
        assertThat(result.get("status").asInt()).as("%s", result).isEqualTo(status);
        assertThat(result.get("error").asText()).contains(reason);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "[{\"channel\":\"/nothing/a\",\"data\":1}, {\"channel\":\"/nothing/a\",\"data\":}]",
        "[{\"channel\":\"/nothing/a\",\"data\":1}, {\"channel\":\"/nothing/a\",\"data\":2}",
        "[{\"channel\":\"/nothing/a\",\"data\":1}] trailing",
        "[{\"channel\":\"/nothing/a\",\"data\":1}] [{\"channel\":\"/nothing/a\",\"data\":1}]",
        "[{\"channel\":\"/nothing/a\",\"data\":1,\"extra\":[1,2}]",
        "[]",
        " [ ] ",
    })
    @DisplayName("refuses a body that is not one whole, non-empty JSON array with 400 and publishes nothing")
    void malformedPublishesNothing(String body) throws IOException {
        HttpResponse<String> response = server.post("/api/publish", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.get("status").asInt()).isEqualTo(400);
        assertThat(error.get("error").asText()).containsAnyOf("malformed JSON", "at least one message");
        assertThat(history("/nothing/a").get("head").asLong()).isZero();
    }

    @Test
    @DisplayName("refuses more than publish.batch-max elements with 413 and publishes nothing")
    void tooManyElements() throws IOException {
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            elements.add("{\"channel\":\"/limit/many\",\"data\":" + i + "}");
        }
        HttpResponse<String> response = server.post("/api/publish", "[" + String.join(",", elements) + "]");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("error").asText()).contains("at most 5 messages");
        assertThat(history("/limit/many").get("head").asLong()).isZero();

        JsonNode five = batch("[" + String.join(",", elements.subList(0, 5)) + "]");
        assertThat(five.get("published").asInt()).isEqualTo(5);
        assertThat(history("/limit/many").get("head").asLong()).isEqualTo(5);
    }

    @Test
    @DisplayName("refuses a body over publish.batch-max-bytes with 413 and publishes nothing, while a single publish keeps its own cap")
    void bodyCap() throws IOException {
        String big = "\"" + "z".repeat(3000) + "\"";
        String element = "{\"channel\":\"/limit/bytes\",\"data\":" + big + "}";
        HttpResponse<String> over = server.post("/api/publish", "[" + element + "," + element + "]");
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(json(over).get("error").asText()).contains("4096 bytes");
        assertThat(history("/limit/bytes").get("head").asLong()).isZero();

        assertThat(batch("[" + element + "]").get("published").asInt()).isEqualTo(1);
        // An object is capped by publish.max-payload plus the envelope, not by the (here smaller) batch cap.
        String single = "{\"channel\":\"/limit/bytes\",\"data\":\"" + "s".repeat(10_000) + "\"}";
        assertThat(server.post("/api/publish", single).statusCode()).isEqualTo(200);
        assertThat(history("/limit/bytes").get("head").asLong()).isEqualTo(2);
    }

    @Test
    @DisplayName("a retried batch answers the original positions and publishes nothing again; a repeated id within a batch too")
    void idempotentIds() throws IOException {
        String body = "[{\"channel\":\"/retry/b\",\"data\":1,\"id\":\"m-1\"},{\"channel\":\"/retry/b\",\"data\":2,\"id\":\"m-2\"},"
                + "{\"channel\":\"/retry/b\",\"data\":3,\"id\":\"m-1\"}]";
        JsonNode first = batch(body);
        JsonNode again = batch(body);

        assertThat(first.get("published").asInt()).isEqualTo(3);
        assertThat(first.get("results").get(2).get("position")).isEqualTo(first.get("results").get(0).get("position"));
        assertThat(again.get("results")).isEqualTo(first.get("results"));
        JsonNode history = history("/retry/b");
        assertThat(history.get("head").asLong()).isEqualTo(2);
        assertThat(history.get("messages").get(0).get("data").asInt()).isEqualTo(1);
    }

    @Test
    @DisplayName("needs the API key like a single publish: 401 without it, and nothing is published")
    void apiKey() throws IOException {
        try (TestServer guarded = TestServer.start("--api-key", "batch-secret")) {
            String body = "[{\"channel\":\"/guarded/b\",\"data\":1}]";
            HttpResponse<String> refused = guarded.post("/api/publish", body);
            assertThat(refused.statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = guarded.post("/api/publish", body, "Authorization", "Bearer nope");
            assertThat(wrong.statusCode()).isEqualTo(401);
            String head = guarded.get("/api/history?channel=/guarded/b", "Authorization", "Bearer batch-secret").body();
            assertThat(JSON.readTree(head).get("head").asLong()).isZero();

            HttpResponse<String> ok = guarded.post("/api/publish", body, "Authorization", "Bearer batch-secret");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).get("published").asInt()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("refuses a batch not declared application/json with 415")
    void contentType() throws IOException {
        HttpResponse<String> response = server.post("/api/publish", "[{\"channel\":\"/typed/b\",\"data\":1}]",
                "Content-Type", "text/plain");
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(history("/typed/b").get("head").asLong()).isZero();
    }
}
