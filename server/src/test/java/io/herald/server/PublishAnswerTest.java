package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PublishAnswer, the publish API's hand-written JSON")
class PublishAnswerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("writes a message's channel, id and position as JSON that parses back to the same values")
    void message() throws Exception {
        Message message = new Message(ChannelName.of("/a/b.c"), new Position("Ep0ch", 42), "order-1:v2", null,
                Payload.utf8("{}"), "application/json", Map.of(), Instant.EPOCH);
        JsonNode answer = JSON.readTree(new PublishAnswer(4).message(message).toString());

        assertThat(answer.get("channel").asText()).isEqualTo("/a/b.c");
        assertThat(answer.get("id").asText()).isEqualTo("order-1:v2");
        assertThat(answer.get("position").get("epoch").asText()).isEqualTo("Ep0ch");
        assertThat(answer.get("position").get("offset").asLong()).isEqualTo(42);
    }

    @Test
    @DisplayName("escapes quotes, backslashes and control characters and encodes any other text as UTF-8")
    void escapes() throws Exception {
        String reason = "field 'x\"y' \\ bad\n\t\u0001 — naïve 😀 end";
        String written = new PublishAnswer(1).error(400, reason).toString();
        JsonNode answer = JSON.readTree(written);

        assertThat(answer.get("error").asText()).isEqualTo(reason);
        assertThat(answer.get("status").asInt()).isEqualTo(400);
        assertThat(written).doesNotContain("\n");
        assertThat(new PublishAnswer(8).string(null).toString()).isEqualTo("null");
    }
}
