package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's refusals of hostile or careless requests, each over a real socket; a refusal stores nothing. */
@DisplayName("server security")
class ServerSecurityTest {

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

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    static long head(String channel) throws IOException {
        HttpResponse<String> history = server.get("/api/history?channel=" + channel);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        return json(history).get("head").asLong();
    }

    @Nested
    @DisplayName("publish")
    class Publish {

        @ParameterizedTest(name = "Content-Type: {0}")
        @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "text/plain; charset=utf-8", "application/jsonx"})
        @DisplayName("a body not declared application/json is refused with 415: no cross-origin publish without a preflight")
        void requiresJsonContentType(String contentType) throws IOException {
            HttpResponse<String> response = server.post("/api/publish", "{\"channel\":\"/sec/ctype\",\"data\":1}",
                    "Content-Type", contentType, "Origin", "https://evil.example");

            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(json(response).get("error").asText()).contains("application/json", contentType);
            assertThat(head("/sec/ctype")).isZero();
        }

        @Test
        @DisplayName("a body with no Content-Type is refused with 415; application/json with a charset is accepted")
        void missingContentType() throws IOException {
            String missing = server.raw("POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Length: 32\r\n\r\n{\"channel\":\"/sec/none\",\"data\":1}");
            assertThat(missing).startsWith("HTTP/1.1 415");
            assertThat(head("/sec/none")).isZero();

            assertThat(server.post("/api/publish", "{\"channel\":\"/sec/none\",\"data\":1}",
                    "Content-Type", "Application/JSON; charset=UTF-8").statusCode()).isEqualTo(200);
        }

        @ParameterizedTest(name = "event: {0}")
        @ValueSource(strings = {"missedevents", "lastEventId"})
        @DisplayName("Herald's own event names are reserved: 400, nothing stored")
        void reservedEventNames(String event) throws IOException {
            HttpResponse<String> response = server.post("/api/publish",
                    "{\"channel\":\"/sec/reserved\",\"data\":{\"missed\":[]},\"event\":\"" + event + "\"}");

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(json(response).get("error").asText()).contains("'" + event + "'", "reserved", "/sec/reserved");
            assertThat(head("/sec/reserved")).isZero();
        }
    }

    @Nested
    @DisplayName("with --api-key, every admin endpoint needs the key and only /health and the streams are open")
    class AdminEndpoints {

        private static final String KEY = "adm1n-key";

        @ParameterizedTest(name = "GET {0}")
        @ValueSource(strings = {"/api/history?channel=/a/b", "/api/presence?channel=/a/b", "/api/stats",
            "/api/cursor?channel=/a/b", "/sse?channel=/a/b#json", "/metrics"})
        @DisplayName("refused with 401 and WWW-Authenticate without the key, wrong key, or Basic; served with it")
        void adminNeedsTheKey(String target) {
            try (TestServer keyed = TestServer.start("--api-key", KEY)) {
                String path = target.replace("#json", "");
                String[] accept = target.endsWith("#json") ? new String[] {"Accept", "application/json"} : new String[] {"Accept", "*/*"};
                for (String authorization : new String[] {null, "Bearer nope", "Basic " + KEY, "Bearer " + KEY + "x"}) {
                    HttpResponse<String> refused = authorization == null ? keyed.get(path, accept)
                            : keyed.get(path, accept[0], accept[1], "Authorization", authorization);
                    assertThat(refused.statusCode()).as("%s with %s", path, authorization).isEqualTo(401);
                    assertThat(refused.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                    assertThat(refused.headers().firstValue("content-type")).hasValue("application/json");
                }
                HttpResponse<String> served = keyed.get(path, accept[0], accept[1], "Authorization", "Bearer " + KEY);
                assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            }
        }

        @Test
        @DisplayName("publish needs the key too; /health, the SSE stream and the preflight stay open")
        void publicEndpoints() throws IOException {
            try (TestServer keyed = TestServer.start("--api-key", KEY)) {
                assertThat(keyed.publish("/sec/admin", "1").statusCode()).isEqualTo(401);
                assertThat(keyed.get("/health").statusCode()).isEqualTo(200);
                assertThat(keyed.request("OPTIONS", "/sse?channel=/a/b", "Origin", "https://app.example",
                        "Access-Control-Request-Method", "GET").statusCode()).isEqualTo(204);
                String stream = keyed.rawHead("GET /sse?channel=/a/b&polling HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                assertThat(stream).startsWith("HTTP/1.1 200");
            }
        }

        @Test
        @DisplayName("--metrics-public opens /metrics alone for scrapers")
        void metricsPublic() {
            try (TestServer keyed = TestServer.start("--api-key", KEY, "--metrics-public")) {
                assertThat(keyed.get("/metrics").statusCode()).isEqualTo(200);
                assertThat(keyed.get("/api/stats").statusCode()).isEqualTo(401);
                assertThat(keyed.get("/sse?channel=/a/b", "Accept", "application/json").statusCode()).isEqualTo(401);
            }
        }

        @Test
        @DisplayName("--api-path moves the cursor with the rest of the admin API")
        void cursorFollowsApiPath() throws IOException {
            try (TestServer moved = TestServer.start("--api-key", KEY, "--api-path", "/admin")) {
                assertThat(moved.get("/admin/cursor?channel=/a/b").statusCode()).isEqualTo(401);
                HttpResponse<String> cursor = moved.get("/admin/cursor?channel=/a/b", "Authorization", "Bearer " + KEY);
                assertThat(cursor.statusCode()).as(cursor.body()).isEqualTo(200);
                assertThat(json(cursor).get("lastEventId").asText()).isNotEmpty();
                assertThat(moved.get("/api/cursor?channel=/a/b", "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(404);
            }
        }
    }

    @Nested
    @DisplayName("every error is JSON and no answer names the server's software")
    class Errors {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
            "bad %-escape on /sse|GET /sse?channel=%zz HTTP/1.1\r\nHost: x\r\n\r\n|400",
            "bad %-escape on /api|GET /api/history?channel=%zz HTTP/1.1\r\nHost: x\r\n\r\n|400",
            "ambiguous URI|GET /api/%2e%2e/health HTTP/1.1\r\nHost: x\r\n\r\n|400",
            "ambiguous separator|GET /sse%2fx?channel=a HTTP/1.1\r\nHost: x\r\n\r\n|400",
            "bad chunk|POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n|400",
            "URI too long|GET /api/history?channel=/a/LONG HTTP/1.1\r\nHost: x\r\n\r\n|414",
            "headers too large|GET /health HTTP/1.1\r\nHost: x\r\nX-Big: LONG\r\n\r\n|431",
            "unknown path|DELETE /nowhere HTTP/1.1\r\nHost: x\r\n\r\n|404",
        })
        @DisplayName("Jetty's own refusals come back as JSON with the right status")
        void jettyErrorsAreJson(String spec) {
            String[] parts = spec.split("\\|");
            String request = parts[1].replace("LONG", "x".repeat(20_000)).replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n");
            String answer = server.raw(request);

            assertThat(answer).as(parts[0]).startsWith("HTTP/1.1 " + parts[2]);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(answer).containsIgnoringCase("content-type: application/json").doesNotContainIgnoringCase("\r\nServer:");
            assertThat(body).as(parts[0]).startsWith("{\"error\":").contains("\"status\":" + parts[2])
                    .doesNotContain("<html", "Exception", "jetty", "Jetty");
        }

        @Test
        @DisplayName("no Server or X-Powered-By header on answers")
        void noServerHeader() {
            HttpResponse<String> health = server.get("/health");
            assertThat(health.headers().firstValue("server")).isEmpty();
            assertThat(health.headers().firstValue("x-powered-by")).isEmpty();
            assertThat(server.get("/sse?channel=/a/b&polling").headers().firstValue("server")).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"{\"channel\":\"/a/b\",\"data\":{\"a\":}}", "{\"channel\":\"/a/b\",\"data\":tru}", "{\"channel\":\"/a/b\",\"data\":\"\\x\"}",
            "{\"channel\":\"/a/b\",\"data\":DEEP}", "\u00ff\u00fe", "{\"channel\":\"/a/b\",\"data\":1"})
        @DisplayName("malformed JSON is described by where it is wrong, without the parser's internals")
        void parseErrorsNameNoInternals(String body) throws IOException {
            HttpResponse<String> answer = server.post("/api/publish", body.replace("DEEP", "[".repeat(300) + "]".repeat(300)));

            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(json(answer).get("error").asText()).startsWith("malformed JSON")
                    .doesNotContainIgnoringCase("jackson").doesNotContain("`", "Feature", "Constraints", "com.", "Source:");
        }
    }
}
