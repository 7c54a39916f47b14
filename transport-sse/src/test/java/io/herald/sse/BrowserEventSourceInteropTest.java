package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium's own EventSource, cross-origin, with and without credentials: it survives a server
 * drop with no loss and no duplicate, and it is told exactly what it missed beyond retention.
 */
class BrowserEventSourceInteropTest {

    private static final ChannelName A = ChannelName.of("/browser/a");
    private static final ChannelName B = ChannelName.of("/browser/b");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void dropEveryStream(SseServer server) {
        server.transport().connections.forEach(SseConnection::end);
        await().until(() -> server.transport().stats.connected.get() == 0);
    }

    private static Settings settings() {
        return Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100").with(SseSettings.RETRY, "1500ms");
    }

    private static void reconnectsWithoutLossOrDuplicates(SseServer server, BrowserEventSource browser) throws Exception {
        browser.next("open");
        browser.next("lastEventId");
        List<String> expected = new ArrayList<>();
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add(server.herald.publish(A, "{\"a\":" + i + "}").payload().utf8());
            expected.add(server.herald.publish(B, "{\"b\":" + i + "}").payload().utf8());
        }
        for (int i = 0; i < 6; i++) {
            received.add(browser.next("message").get("data").asText());
        }
        dropEveryStream(server);
        for (int i = 3; i < 8; i++) {
            expected.add(server.herald.publish(A, "{\"a\":" + i + "}").payload().utf8());
            expected.add(server.herald.publish(B, "{\"b\":" + i + "}").payload().utf8());
        }
        browser.next("open");
        for (int i = 0; i < 10; i++) {
            received.add(browser.next("message").get("data").asText());
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
        assertThat(received.stream().filter(s -> s.contains("\"a\"")).toList()).isSorted();
        assertThat(received.stream().filter(s -> s.contains("\"b\"")).toList()).isSorted();
    }

    @Test
    void withoutCredentialsAWildcardOriginIsEnough() throws Exception {
        try (SseServer server = new SseServer(settings());
             BrowserEventSource browser = new BrowserEventSource(server.uri + "/sse?channel=browser/a&channel=browser/b", false)) {
            reconnectsWithoutLossOrDuplicates(server, browser);
        }
    }

    @Test
    void withCredentialsTheListedOriginIsEchoed() throws Exception {
        int heraldPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            heraldPort = probe.getLocalPort();
        }
        String herald = "http://127.0.0.1:" + heraldPort + "/sse?channel=browser/a&channel=browser/b";
        try (BrowserEventSource browser = new BrowserEventSource(herald, true)) {
            Settings settings = settings().with(HttpSettings.CORS_ORIGINS, BrowserEventSource.originOf(browser));
            try (SseServer server = new SseServer(settings, heraldPort)) {
                reconnectsWithoutLossOrDuplicates(server, browser);
            }
        }
    }

    @Test
    void withCredentialsButNoListedOriginTheBrowserRefusesTheStream() throws Exception {
        try (SseServer server = new SseServer(settings());
             BrowserEventSource browser = new BrowserEventSource(server.uri + "/sse?channel=browser/a", true)) {
            JsonNode error = browser.next("error");
            assertThat(error.get("readyState").asInt()).as("CLOSED for good").isEqualTo(2);
        }
    }

    @Test
    void theBrowserIsToldExactlyWhatItMissedBeyondRetention() throws Exception {
        try (SseServer server = new SseServer(settings());
             BrowserEventSource browser = new BrowserEventSource(server.uri + "/sse?channel=browser/a&channel=browser/b", false)) {
            browser.next("lastEventId");
            server.herald.publish(A, "{\"a\":0}");
            browser.next("message");
            dropEveryStream(server);
            for (int i = 1; i <= 150; i++) {
                server.herald.publish(A, "{\"a\":" + i + "}");
            }
            JsonNode missed = JSON.readTree(browser.next("missedevents").get("data").asText()).get("missed").get(0);
            assertThat(missed.get("after").asLong()).isEqualTo(1);
            assertThat(missed.get("firstAvailable").asLong()).isEqualTo(52);
            assertThat(missed.get("count").asLong()).isEqualTo(50);
            assertThat(browser.next("message").get("data").asText()).isEqualTo("{\"a\":51}");
        }
    }
}
