package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A minimal Bayeux long-polling client over real HTTP for tests: it sends exactly what a test says and returns
 * what came back, so tests can check the wire.
 */
final class BayeuxTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI uri;
    String clientId;
    private int nextId;

    BayeuxTestClient(URI uri) {
        this.uri = uri;
    }

    /** The response to a raw body. */
    static HttpResponse<String> post(URI uri, String contentType, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends only the head of a POST declaring a body of {@code length} bytes and returns everything the server
     * answers until it closes. A server refusing on the declared length answers without reading the body; a
     * test that uploaded the body too would race that early close (the client's write can be reset before it
     * reads the refusal), and the JDK 17 client's {@code Expect: 100-continue} hangs on a final answer.
     */
    static String postDeclaringLength(URI uri, long length) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static CompletableFuture<HttpResponse<String>> postAsync(URI uri, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code messages} as one request; returns the response array (the status must be 200). */
    ArrayNode send(ObjectNode... messages) throws IOException, InterruptedException {
        return send(uri, messages);
    }

    ArrayNode send(URI to, ObjectNode... messages) throws IOException, InterruptedException {
        HttpResponse<String> response = post(to, "application/json;charset=UTF-8", array(messages));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return (ArrayNode) JSON.readTree(response.body());
    }

    CompletableFuture<ArrayNode> sendAsync(ObjectNode... messages) {
        return postAsync(uri, array(messages)).thenApply(response -> {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            try {
                return (ArrayNode) JSON.readTree(response.body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static String array(ObjectNode... messages) {
        ArrayNode array = JSON.createArrayNode();
        for (ObjectNode m : messages) {
            array.add(m);
        }
        return array.toString();
    }

    ObjectNode message(String channel) {
        ObjectNode m = JSON.createObjectNode();
        m.put("channel", channel);
        m.put("id", Integer.toString(++nextId, 36));
        if (clientId != null) {
            m.put("clientId", clientId);
        }
        return m;
    }

    ObjectNode handshakeMessage() {
        ObjectNode m = message("/meta/handshake");
        m.put("version", "1.0");
        m.putArray("supportedConnectionTypes").add("long-polling").add("callback-polling");
        return m;
    }

    /** Handshakes and sends the first connect (answered at once), as clients do. */
    BayeuxTestClient handshake() throws IOException, InterruptedException {
        JsonNode reply = send(handshakeMessage()).get(0);
        assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        clientId = reply.get("clientId").asText();
        connect(0);
        return this;
    }

    ObjectNode connectMessage(Long timeout) {
        ObjectNode m = message("/meta/connect");
        m.put("connectionType", "long-polling");
        if (timeout != null) {
            m.putObject("advice").put("timeout", timeout);
        }
        return m;
    }

    /** A connect; with {@code timeout} 0 answered at once. Returns the whole response. */
    ArrayNode connect(long timeout) throws IOException, InterruptedException {
        return send(connectMessage(timeout));
    }

    /** A connect with the server's own timeout, in the background. */
    CompletableFuture<ArrayNode> connectAsync() {
        return sendAsync(connectMessage(null));
    }

    ObjectNode subscribeMessage(String... channels) {
        ObjectNode m = message("/meta/subscribe");
        if (channels.length == 1) {
            m.put("subscription", channels[0]);
        } else {
            ArrayNode array = m.putArray("subscription");
            for (String c : channels) {
                array.add(c);
            }
        }
        return m;
    }

    JsonNode subscribe(String... channels) throws IOException, InterruptedException {
        JsonNode reply = send(subscribeMessage(channels)).get(0);
        assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        return reply;
    }

    ObjectNode publishMessage(String channel, String json) throws IOException {
        ObjectNode m = message(channel);
        m.set("data", JSON.readTree(json));
        return m;
    }

    JsonNode publish(String channel, String json) throws IOException, InterruptedException {
        return send(publishMessage(channel, json)).get(0);
    }

    /** The deliveries (messages with data) in a response. */
    static List<JsonNode> deliveries(ArrayNode response) {
        List<JsonNode> data = new ArrayList<>();
        response.forEach(m -> {
            if (m.has("data")) {
                data.add(m);
            }
        });
        return data;
    }

    /** The replies (messages without data) in a response. */
    static List<JsonNode> replies(ArrayNode response) {
        List<JsonNode> replies = new ArrayList<>();
        response.forEach(m -> {
            if (!m.has("data")) {
                replies.add(m);
            }
        });
        return replies;
    }
}
