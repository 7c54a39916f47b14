package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("POST /api/publish")
class PublishApiTest {

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

    static JsonNode history(String channel) throws IOException {
        HttpResponse<String> response = server.get("/api/history?channel=" + channel);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }

    @Test
    @DisplayName("answers the channel, the id and the position of the stored message")
    void publishes() throws IOException {
        HttpResponse<String> first = server.post("/api/publish", "{\"channel\":\"/pub/ok\",\"data\":{\"n\":1}}");
        HttpResponse<String> second = server.post("/api/publish", "{\"channel\":\"pub/ok\",\"data\":{\"n\":2},\"id\":\"order-42:v1\",\"event\":\"order.created\"}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode a = json(first);
        JsonNode b = json(second);
        assertThat(a.get("channel").asText()).isEqualTo("/pub/ok");
        assertThat(a.get("id").asText()).isNotEmpty();
        assertThat(a.get("position").get("offset").asLong()).isEqualTo(1);
        assertThat(b.get("channel").asText()).isEqualTo("/pub/ok");
        assertThat(b.get("id").asText()).isEqualTo("order-42:v1");
        assertThat(b.get("position").get("epoch").asText()).isEqualTo(a.get("position").get("epoch").asText());
        assertThat(b.get("position").get("offset").asLong()).isEqualTo(2);

        JsonNode stored = history("/pub/ok").get("messages").get(1);
        assertThat(stored.get("id").asText()).isEqualTo("order-42:v1");
        assertThat(stored.get("event").asText()).isEqualTo("order.created");
        assertThat(stored.get("data").get("n").asInt()).isEqualTo(2);
        assertThat(history("/pub/ok").get("messages").get(0).get("event").isNull()).isTrue();
    }

    @Test
    @DisplayName("answers a retry of an id with the original message's position and publishes nothing")
    void retriesAreIdempotent() throws IOException {
        String body = "{\"channel\":\"/pub/retry\",\"data\":{\"n\":1},\"id\":\"payment-7\"}";
        HttpResponse<String> first = server.post("/api/publish", body);
        HttpResponse<String> retry = server.post("/api/publish", body);
        HttpResponse<String> other = server.post("/api/publish", "{\"channel\":\"/pub/retry\",\"data\":{\"n\":2},\"id\":\"payment-8\"}");

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(json(retry)).as("the answer to a retry").isEqualTo(json(first));
        assertThat(json(other).get("position").get("offset").asLong()).as("offset of the next id").isEqualTo(2);
        assertThat(history("/pub/retry").get("messages")).extracting(m -> m.get("id").asText()).containsExactly("payment-7", "payment-8");
    }

    @Test
    @DisplayName("keeps the exact bytes of data: spacing, number spelling, escapes")
    void keepsRawBytes() {
        String data = "{\"b\": 1,  \"a\":[1.50, \"x\"], \"u\" : \"caf\\u00e9 \u00fc\", \"big\":123456789012345678901234567890 ,\"e\":1E+2}";
        HttpResponse<String> published = server.post("/api/publish", "{ \"channel\" : \"/raw/bytes\" ,\n \"data\":   " + data + "   \n}");
        assertThat(published.statusCode()).isEqualTo(200);

        HttpResponse<String> history = server.get("/api/history?channel=/raw/bytes");
        assertThat(history.body()).contains("\"data\":" + data + ",\"timestamp\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"just text\"", "42", "-0.50e-3", "true", "null", "[]", "[ 1 ,2 ]", "\"\\\"quoted\\\" \\n\""})
    @DisplayName("delivers any JSON value as data, unchanged")
    void anyJsonValue(String data) {
        String channel = "/scalar/c" + Integer.toHexString(data.hashCode());
        assertThat(server.publish(channel, data).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/history?channel=" + channel).body()).contains("\"data\":" + data + ",\"timestamp\"");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"channel\":\"/refused/a\",\"data\":                                 | malformed JSON",
        "\"text\"                                                               | must be a JSON object",
        "{\"data\":1}                                                           | 'channel' is missing",
        "{\"channel\":\"/refused/a\"}                                           | 'data' is missing",
        "{\"channel\":7,\"data\":1}                                             | 'channel' must be a string",
        "{\"channel\":\"/refused/a b\",\"data\":1}                              | is not allowed in a channel name",
        "{\"channel\":\"/refused//a\",\"data\":1}                               | empty segment",
        "{\"channel\":\"/refused/*\",\"data\":1}                                | wildcard pattern",
        "{\"channel\":\"/refused/**\",\"data\":1}                               | wildcard pattern",
        "{\"channel\":\"/meta/connect\",\"data\":1}                             | reserved",
        "{\"channel\":\"/service/echo\",\"data\":1}                             | reserved",
        "{\"channel\":\"/refused/a\",\"data\":1,\"id\":\"has space\"}           | 'id' must be 1 to 128 characters",
        "{\"channel\":\"/refused/a\",\"data\":1,\"id\":\"\"}                    | 'id' must be 1 to 128 characters",
        "{\"channel\":\"/refused/a\",\"data\":1,\"id\":5}                       | 'id' must be a string or null",
        "{\"channel\":\"/refused/a\",\"data\":1,\"event\":\"new\\nline\"}       | 'event' must be 1 to 128 characters",
        "{\"channel\":\"/refused/a\",\"data\":1,\"extra\":true}                 | unknown field 'extra'",
        "{\"channel\":\"/refused/a\",\"data\":1,\"data\":2}                     | 'data' is given twice",
        "{\"channel\":\"/refused/a\",\"data\":1} trailing                       | malformed JSON",
        "{\"channel\":\"/refused/a\",\"data\":{\"a\":}}                         | malformed JSON",
        "{\"channel\":\"/refused/a\",\"data\":[1,2}                             | malformed JSON",
    })
    @DisplayName("refuses bad requests with 400 and stores nothing")
    void refusesBadRequests(String body, String expected) throws IOException {
        HttpResponse<String> response = server.post("/api/publish", body.strip());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode error = json(response);
        assertThat(error.get("status").asInt()).isEqualTo(400);
        assertThat(error.get("error").asText()).contains(expected);
        assertThat(history("/refused/a").get("head").asLong()).isZero();
    }

    @Test
    @DisplayName("refuses an empty body and an id of 129 characters")
    void refusesEmptyBodyAndLongId() throws IOException {
        HttpResponse<String> empty = server.post("/api/publish", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty).get("error").asText()).contains("empty");

        HttpResponse<String> longId = server.post("/api/publish", "{\"channel\":\"/refused/long\",\"data\":1,\"id\":\"" + "x".repeat(129) + "\"}");
        assertThat(longId.statusCode()).isEqualTo(400);
        HttpResponse<String> maxId = server.post("/api/publish", "{\"channel\":\"/refused/long\",\"data\":1,\"id\":\"" + "x".repeat(128) + "\"}");
        assertThat(maxId.statusCode()).isEqualTo(200);
        assertThat(history("/refused/long").get("head").asLong()).isEqualTo(1);
    }

    @Test
    @DisplayName("accepts data of exactly publish.max-payload bytes and refuses one byte more with 413")
    void payloadLimit() throws IOException {
        String atLimit = "\"" + "x".repeat(64 * 1024 - 2) + "\"";
        String overLimit = "\"" + "x".repeat(64 * 1024 - 1) + "\"";

        HttpResponse<String> over = server.publish("/limit/payload", overLimit);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(json(over).get("error").asText()).contains("65537 bytes", "/limit/payload", "65536");
        assertThat(history("/limit/payload").get("head").asLong()).isZero();

        assertThat(server.publish("/limit/payload", atLimit).statusCode()).isEqualTo(200);
        assertThat(history("/limit/payload").get("messages").get(0).get("data").asText()).hasSize(64 * 1024 - 2);
    }

    @Test
    @DisplayName("refuses a declared body over the cap with 413 before it is sent")
    void declaredBodyOverCap() throws IOException {
        String head = "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (100L * 1024 * 1024) + "\r\n\r\n{\"channel\":\"/limit/cap\",\"data\":\"";
        String status = rawExchange(head);
        assertThat(status).startsWith("HTTP/1.1 413");
        assertThat(history("/limit/cap").get("head").asLong()).isZero();
    }

    @Test
    @DisplayName("refuses a chunked body over the cap with 413 after reading only the cap")
    void chunkedBodyOverCap() throws IOException {
        int chunk = 64 * 1024 + PublishHandler.ENVELOPE + 10;
        String head = "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk) + "\r\n" + "{".repeat(chunk) + "\r\n";
        String status = rawExchange(head);
        assertThat(status).startsWith("HTTP/1.1 413");
        assertThat(history("/limit/cap").get("head").asLong()).isZero();
    }

    /** Sends {@code request} and, without ever finishing the body, reads the status line of the answer. */
    private static String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            return line.toString().strip();
        }
    }

    @Test
    @DisplayName("answers 405 with Allow: POST to other methods")
    void wrongMethod() throws IOException {
        for (String method : new String[] {"GET", "PUT", "DELETE"}) {
            HttpResponse<String> response = server.request(method, "/api/publish");
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).hasValue("POST");
            assertThat(json(response).get("error").asText()).contains(method);
        }
    }

    @Test
    @DisplayName("honours a smaller publish.max-payload, and the body cap follows it")
    void configuredLimit() throws IOException {
        try (TestServer small = TestServer.start("--publish-max-payload", "1KiB")) {
            HttpResponse<String> over = small.publish("/limit/small", "\"" + "y".repeat(2000) + "\"");
            assertThat(over.statusCode()).isEqualTo(413);
            assertThat(json(over).get("error").asText()).contains("1024");
            HttpResponse<String> overCap = small.publish("/limit/small", "\"" + "y".repeat(1024 + PublishHandler.ENVELOPE) + "\"");
            assertThat(overCap.statusCode()).isEqualTo(413);
            assertThat(json(overCap).get("error").asText()).contains("request body");
            assertThat(small.publish("/limit/small", "\"fits\"").statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(small.get("/api/history?channel=/limit/small").body()).get("head").asLong()).isEqualTo(1);
        }
    }
}
