package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server with {@code --transports sse,bayeux}: one channel space. A message published by a Bayeux client
 * reaches an SSE stream; one published through the HTTP API reaches the Bayeux client with the position the API
 * answered.
 */
class BayeuxCrossProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode bayeux(TestServer server, String messages) throws Exception {
        HttpResponse<String> response = server.post("/bayeux", messages);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void bayeuxAndSseShareTheChannelSpace() throws Exception {
        try (TestServer server = TestServer.start("--transports", "sse,bayeux")) {
            String clientId = bayeux(server, "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"long-polling\"],\"id\":\"1\"}]")
                    .get(0).get("clientId").asText();
            bayeux(server, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId + "\",\"connectionType\":\"long-polling\",\"id\":\"2\"},"
                    + "{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"/cross/room\",\"id\":\"3\"}]");

            CompletableFuture<HttpResponse<Stream<String>>> sse = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(server.uri("/sse?channel=cross/room")).GET().build(), HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = sse.get(10, TimeUnit.SECONDS).body().iterator();
            while (!lines.next().startsWith("event: lastEventId")) {
                // the stream opens with its id
            }
            assertThat(lines.next()).startsWith("data: "); // the id itself
            JsonNode published = bayeux(server, "[{\"channel\":\"/cross/room\",\"clientId\":\"" + clientId
                    + "\",\"data\":{\"from\":\"bayeux\"},\"id\":\"4\"}]").get(0);
            assertThat(published.get("successful").asBoolean()).isTrue();
            String data = null;
            while (data == null) {
                String line = lines.next();
                if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            assertThat(data).isEqualTo("{\"from\":\"bayeux\"}");

            HttpResponse<String> api = server.post("/api/publish", "{\"channel\":\"/cross/room\",\"data\":{\"from\":\"api\"}}");
            JsonNode position = JSON.readTree(api.body()).get("position");
            JsonNode response = bayeux(server, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                    + "\",\"connectionType\":\"long-polling\",\"id\":\"5\",\"advice\":{\"timeout\":0}}]");
            assertThat(response.get(1).get("data").toString()).isEqualTo("{\"from\":\"bayeux\"}");
            assertThat(response.get(2).get("data").toString()).isEqualTo("{\"from\":\"api\"}");
            assertThat(response.get(2).get("ext").get("herald").get("position").asText())
                    .isEqualTo(position.get("epoch").asText() + ":" + position.get("offset").asLong());
            sse.cancel(true);
        }
    }
}
