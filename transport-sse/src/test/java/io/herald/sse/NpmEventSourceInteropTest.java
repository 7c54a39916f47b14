package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The npm {@code eventsource} package, unmodified, against Herald: two channels, the server drops the
 * connection, messages are published while the client is away, and after the client's own reconnect it has
 * every message exactly once, in order per channel. And the gap case.
 */
class NpmEventSourceInteropTest {

    private static final ChannelName A = ChannelName.of("/interop/a");
    private static final ChannelName B = ChannelName.of("/interop/b");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Settings settings() {
        return Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100").with(SseSettings.RETRY, "1500ms");
    }

    private static void dropEveryStream(SseServer server) {
        server.transport().connections.forEach(SseConnection::end);
        await().until(() -> server.transport().stats.connected.get() == 0);
    }

    @Test
    void afterTheServerDropsItTheClientReconnectsAndGetsEverythingOnceInOrder() throws Exception {
        try (SseServer server = new SseServer(settings());
             NodeEventSource client = new NodeEventSource(server.uri + "/sse?channel=interop/a&channel=interop/b")) {
            client.next("open");
            client.next("lastEventId");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                server.herald.publish(A, "{\"a\":" + i + "}");
                server.herald.publish(B, "{\"b\":" + i + "}");
                expected.add("{\"a\":" + i + "}");
                expected.add("{\"b\":" + i + "}");
            }
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                received.add(client.next("message").get("data").asText());
            }
            dropEveryStream(server);
            for (int i = 3; i < 8; i++) {
                server.herald.publish(A, "{\"a\":" + i + "}");
                server.herald.publish(B, "{\"b\":" + i + "}");
                expected.add("{\"a\":" + i + "}");
                expected.add("{\"b\":" + i + "}");
            }
            client.next("open");
            for (int i = 0; i < 10; i++) {
                received.add(client.next("message").get("data").asText());
            }
            server.herald.publish(A, "{\"a\":8}");
            expected.add("{\"a\":8}");
            received.add(client.next("message").get("data").asText());

            assertThat(received).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
            assertThat(received.stream().filter(s -> s.startsWith("{\"a\"")).toList()).isSortedAccordingTo(String::compareTo);
            assertThat(received.stream().filter(s -> s.startsWith("{\"b\"")).toList()).isSortedAccordingTo(String::compareTo);
            assertThat(server.transport().stats.served.sum()).isEqualTo(2);
        }
    }

    @Test
    void missingMoreThanRetentionWhileAwayIsReportedWithExactCounts() throws Exception {
        try (SseServer server = new SseServer(settings());
             NodeEventSource client = new NodeEventSource(server.uri + "/sse?channel=interop/a&channel=interop/b")) {
            client.next("lastEventId");
            server.herald.publish(A, "{\"a\":0}");
            assertThat(client.next("message").get("data").asText()).isEqualTo("{\"a\":0}");
            dropEveryStream(server);
            for (int i = 1; i <= 150; i++) {
                server.herald.publish(A, "{\"a\":" + i + "}");
            }
            JsonNode missed = JSON.readTree(client.next("missedevents").get("data").asText()).get("missed");
            assertThat(missed).hasSize(1);
            assertThat(missed.get(0).get("channel").asText()).isEqualTo("/interop/a");
            assertThat(missed.get(0).get("after").asLong()).isEqualTo(1);
            assertThat(missed.get(0).get("firstAvailable").asLong()).isEqualTo(52);
            assertThat(missed.get(0).get("count").asLong()).isEqualTo(50);
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                rest.add(client.next("message").get("data").asText());
            }
            assertThat(rest.get(0)).isEqualTo("{\"a\":51}");
            assertThat(rest.get(99)).isEqualTo("{\"a\":150}");
        }
    }
}
