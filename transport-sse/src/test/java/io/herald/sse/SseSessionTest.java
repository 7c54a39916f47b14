package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams bound to a durable session ({@code ?session}): short ids that name the session, exact resume. */
class SseSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseServer server;

    @BeforeEach
    void start() {
        server = new SseServer(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String query(List<ChannelName> channels) {
        StringBuilder q = new StringBuilder("/sse?session");
        channels.forEach(c -> q.append("&channel=").append(c.value()));
        return q.toString();
    }

    @Test
    void aSessionStreamResumesEveryChannelWithAShortIdThatNamesTheSession() throws Exception {
        List<ChannelName> channels = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            channels.add(ChannelName.of("/room/r" + i));
        }
        String lastId;
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels))) {
            SseEvent first = client.next();
            assertThat(first.type()).isEqualTo("lastEventId");
            assertThat(first.id()).matches("[A-Za-z0-9]{22}-[A-Za-z0-9._]+");
            for (ChannelName channel : channels) {
                server.herald.publish(channel, "{\"at\":\"" + channel.value() + "\"}");
            }
            SseEvent event = null;
            for (int i = 0; i < 100; i++) {
                event = client.next();
                assertThat(event.id().length()).isLessThan(1024);
            }
            lastId = event.id();
            assertThat(lastId).startsWith(first.id().substring(0, 23));
        }
        server.herald.publish(channels.get(7), "{\"while\":\"away\"}");
        server.herald.publish(channels.get(99), "{\"while\":\"away too\"}");
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels), Map.of("Last-Event-ID", lastId))) {
            assertThat(client.next().data()).isEqualTo("{\"while\":\"away\"}");
            SseEvent second = client.next();
            assertThat(second.data()).isEqualTo("{\"while\":\"away too\"}");
            assertThat(second.id()).startsWith(lastId.substring(0, 23));
        }
    }

    @Test
    void anUnknownSessionGetsANewSessionAndAResetNotAnError() throws Exception {
        List<ChannelName> channels = List.of(ChannelName.of("/a"), ChannelName.of("/b"));
        try (SseTestClient client = SseTestClient.connect(server.uri, query(channels),
                Map.of("Last-Event-ID", "AAAAAAAAAAAAAAAAAAAAAA-1_2"))) {
            assertThat(client.status).isEqualTo(200);
            SseEvent missed = client.next();
            assertThat(missed.type()).isEqualTo("missedevents");
            JsonNode entries = JSON.readTree(missed.data()).get("missed");
            assertThat(entries).hasSize(2);
            entries.forEach(e -> assertThat(e.get("reset").asBoolean()).isTrue());
            assertThat(missed.id()).doesNotStartWith("AAAAAAAAAAAAAAAAAAAAAA-").contains("-");
        }
    }
}
