package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.core.auth.HmacTokens;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input gets a Bayeux error reply or HTTP 400, changes nothing, and the server keeps serving (G7).
 */
class BayeuxRefusalTest {

    private static final String SECRET = "bayeux-refusal-secret";
    private BayeuxTestServer server;
    private URI bayeux;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s")
                .with(BayeuxSettings.MAX_BATCH, "50").with(CoreSettings.TOKEN_SECRET, SECRET));
        bayeux = server.bayeux();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A client whose token grants /open/** only. */
    private BayeuxTestClient client() throws Exception {
        String token = new HmacTokens(SECRET).mint("alice", List.of(ChannelName.of("/open/**")), Duration.ofHours(1));
        BayeuxTestClient client = new BayeuxTestClient(bayeux);
        ObjectNode handshake = client.handshakeMessage();
        handshake.putObject("ext").put("token", token);
        JsonNode reply = client.send(handshake).get(0);
        assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        client.clientId = reply.get("clientId").asText();
        client.connect(0);
        return client;
    }

    private void stillServes() throws Exception {
        BayeuxTestClient client = client();
        client.subscribe("/open/check");
        client.publish("/open/check", "{\"ok\":true}");
        assertThat(deliveries(client.connect(0))).extracting(m -> m.get("data").toString()).containsExactly("{\"ok\":true}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[1,2]", "[]", "", "[{\"id\":\"1\"}]", "[{\"channel\":42}]", "[{\"channel\":\"/a\"}] trailing",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"})
    @DisplayName("a body that is not Bayeux (malformed JSON, not objects, no channel) gets 400 and the server keeps serving")
    void notBayeux(String body) throws Exception {
        HttpResponse<String> response = BayeuxTestClient.post(bayeux, "application/json", body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(BayeuxTestClient.JSON.readTree(response.body()).get("error").asText()).isNotEmpty();
        stillServes();
    }

    @Test
    @DisplayName("a batch over the message limit or a body over the size limit gets 400, and none of its messages acts")
    void limits() throws Exception {
        BayeuxTestClient client = client();
        ObjectNode[] batch = new ObjectNode[51];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = client.publishMessage("/open/limit", "{\"i\":" + i + "}");
        }
        client.subscribe("/open/limit");
        HttpResponse<String> tooMany = BayeuxTestClient.post(bayeux, "application/json", BayeuxTestClient.array(batch));
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("at most 50 messages");

        String tooLarge = BayeuxTestClient.postDeclaringLength(bayeux, 1024 * 1024 + 1);
        assertThat(tooLarge).startsWith("HTTP/1.1 400 ").contains("over the limit");
        JsonNode payload = client.send(client.publishMessage("/open/limit", "\"" + "y".repeat(70 * 1024) + "\"")).get(0);
        assertThat(payload.get("error").asText()).startsWith("413:" + client.clientId + ",/open/limit:");
        assertThat(deliveries(client.connect(0))).isEmpty();
        stillServes();
    }

    @Test
    @DisplayName("an unknown client id gets 402::session_unknown with advice to handshake, on every message type")
    void unknownClient() throws Exception {
        BayeuxTestClient stranger = new BayeuxTestClient(bayeux);
        stranger.clientId = "notAClientIdThatExists0";
        for (ObjectNode message : List.of(stranger.connectMessage(0L), stranger.subscribeMessage("/open/a"),
                stranger.publishMessage("/open/a", "1"), stranger.message("/meta/unsubscribe").put("subscription", "/open/a"),
                stranger.message("/meta/disconnect"))) {
            JsonNode reply = stranger.send(message).get(0);
            assertThat(reply.get("successful").asBoolean()).isFalse();
            assertThat(reply.get("error").asText()).isEqualTo("402::session_unknown");
            assertThat(reply.get("advice").get("reconnect").asText()).isEqualTo("handshake");
            assertThat(reply.get("id").asText()).isEqualTo(message.get("id").asText());
        }
        BayeuxTestClient anonymous = new BayeuxTestClient(bayeux);
        JsonNode noClientId = anonymous.publish("/open/a", "1");
        assertThat(noClientId.get("error").asText()).isEqualTo("402::session_unknown");
        stillServes();
    }

    @Test
    @DisplayName("publishing to /meta/**, to a pattern, to a bad name, without data, or outside the token's grant is refused")
    void publishRefusals() throws Exception {
        BayeuxTestClient client = client();
        client.subscribe("/open/**");
        assertThat(client.publish("/meta/foo", "1").get("error").asText()).startsWith("400:" + client.clientId + ",/meta/foo:");
        assertThat(client.publish("/meta/subscribe", "1").get("successful").asBoolean()).isFalse();
        assertThat(client.publish("/open/*", "1").get("error").asText()).startsWith("405:" + client.clientId + ",/open/*:");
        assertThat(client.publish("/open/bad name", "1").get("error").asText()).startsWith("405:");
        JsonNode noData = client.send(client.message("/open/a")).get(0);
        assertThat(noData.get("error").asText()).startsWith("400:" + client.clientId + ",/open/a:missing data");
        assertThat(client.publish("/closed/a", "1").get("error").asText()).startsWith("403:" + client.clientId + ",/closed/a:");
        assertThat(deliveries(client.connect(0))).isEmpty();
        stillServes();
    }

    @Test
    @DisplayName("subscribing to /meta/**, a bad name, a forbidden channel, or with a bad position is refused and subscribes nothing")
    void subscribeRefusals() throws Exception {
        BayeuxTestClient client = client();
        assertThat(client.send(client.subscribeMessage("/meta/connect")).get(0).get("error").asText()).startsWith("403:");
        assertThat(client.send(client.subscribeMessage("/open/a/**/b")).get(0).get("error").asText()).startsWith("405:");
        JsonNode forbidden = client.send(client.subscribeMessage("/open/a", "/closed/a")).get(0);
        assertThat(forbidden.get("error").asText()).startsWith("403:" + client.clientId + ",/open/a,/closed/a:");
        assertThat(forbidden.get("subscription")).hasSize(2);
        ObjectNode badAfter = client.subscribeMessage("/open/a");
        badAfter.putObject("ext").putObject("herald").put("after", "nonsense");
        assertThat(client.send(badAfter).get(0).get("error").asText()).startsWith("400:");
        JsonNode missing = client.send(client.message("/meta/subscribe")).get(0);
        assertThat(missing.get("error").asText()).contains("missing subscription");
        client.publish("/open/a", "1");
        assertThat(deliveries(client.connect(0))).isEmpty();
        stillServes();
    }

    @Test
    @DisplayName("a handshake with a bad token, or no connection type in common, fails with advice not to retry")
    void handshakeRefusals() throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(bayeux);
        ObjectNode badToken = client.handshakeMessage();
        badToken.putObject("ext").put("token", "not.a.token");
        JsonNode reply = client.send(badToken).get(0);
        assertThat(reply.get("successful").asBoolean()).isFalse();
        assertThat(reply.get("error").asText()).startsWith("401::");
        assertThat(reply.has("clientId")).isFalse();
        ObjectNode noCommonType = client.handshakeMessage();
        noCommonType.putArray("supportedConnectionTypes").add("carrier-pigeon");
        JsonNode noType = client.send(noCommonType).get(0);
        assertThat(noType.get("error").asText()).startsWith("301:");
        assertThat(noType.get("advice").get("reconnect").asText()).isEqualTo("none");
        assertThat(server.server().clientCount()).isZero();
        stillServes();
    }

    @Test
    @DisplayName("other methods get 405, a GET without message 400, a bad JSONP callback 400")
    void methods() throws Exception {
        assertThat(BayeuxTestClient.get(bayeux).statusCode()).isEqualTo(400);
        assertThat(BayeuxTestClient.get(URI.create(bayeux + "?message=%5B%5D&jsonp=alert(1)")).statusCode()).isEqualTo(400);
        var put = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(bayeux)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        stillServes();
    }
}
