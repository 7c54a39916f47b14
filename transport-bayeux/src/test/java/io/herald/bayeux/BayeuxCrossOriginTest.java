package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What cross-origin browser clients use: callback polling (JSONP), CORS preflights, Faye's form-encoded posts. */
class BayeuxCrossOriginTest {

    private static final String ORIGIN = "http://app.example";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s").with(HttpSettings.CORS_ORIGINS, ORIGIN));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> jsonp(String callback, String messages) throws Exception {
        URI uri = URI.create(server.bayeux() + "?message=" + URLEncoder.encode(messages, StandardCharsets.UTF_8)
                + (callback == null ? "" : "&jsonp=" + callback));
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ArrayNode unwrap(String callback, HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        String body = response.body();
        assertThat(body).startsWith("/**/" + callback + "(").endsWith(");");
        return (ArrayNode) BayeuxTestClient.JSON.readTree(body.substring(("/**/" + callback + "(").length(), body.length() - 2));
    }

    @Test
    @DisplayName("callback polling: handshake, subscribe and connect over JSONP GETs, wrapped in the callback")
    void callbackPolling() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        JsonNode handshake = unwrap("__jsonp1__", jsonp("__jsonp1__", BayeuxTestClient.array(messages.handshakeMessage()))).get(0);
        assertThat(handshake.get("successful").asBoolean()).isTrue();
        messages.clientId = handshake.get("clientId").asText();
        unwrap("jsonpcallback", jsonp(null, BayeuxTestClient.array(messages.subscribeMessage("/x/jsonp"), messages.connectMessage(0L))));
        server.herald.publish(ChannelName.of("/x/jsonp"), "{\"line\":\"a\\u2028b\"}");
        HttpResponse<String> response = jsonp("_cometd_jsonp_3", BayeuxTestClient.array(messages.connectMessage(null)));
        assertThat(response.body()).doesNotContain("\u2028").contains("\\u2028");
        ArrayNode array = unwrap("_cometd_jsonp_3", response);
        assertThat(array.get(1).get("data").get("line").asText()).isEqualTo("a\u2028b");
    }

    @Test
    @DisplayName("a preflight allows POST with Faye's headers for a listed origin, with credentials")
    void preflight() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.bayeux()).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, pragma").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST", "GET");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
                .contains("Accept", "Authorization", "Content-Type", "Pragma", "X-Requested-With");
    }

    @Test
    @DisplayName("Faye's cross-origin transport posts message=<json> as text/plain; the answer carries the CORS headers")
    void formEncodedPost() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        String body = "message=" + URLEncoder.encode(BayeuxTestClient.array(messages.handshakeMessage()), StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.bayeux()).header("Origin", ORIGIN)
                .header("Content-Type", "text/plain;charset=UTF-8").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(BayeuxTestClient.JSON.readTree(response.body()).get(0).get("successful").asBoolean()).isTrue();
        HttpResponse<String> form = BayeuxTestClient.post(server.bayeux(), "application/x-www-form-urlencoded", body);
        assertThat(BayeuxTestClient.JSON.readTree(form.body()).get(0).get("clientId").asText()).isNotEmpty();
        HttpResponse<String> noMessage = BayeuxTestClient.post(server.bayeux(), "application/x-www-form-urlencoded", "message=");
        assertThat(noMessage.statusCode()).isEqualTo(400);
    }
}
