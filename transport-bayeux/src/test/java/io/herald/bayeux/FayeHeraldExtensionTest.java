package io.herald.bayeux;

import io.herald.testkit.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's extension for the stock Faye client, as the server serves it, loaded into the real npm faye client:
 * the client id survives a process restart (killed, no disconnect) and the new process gets what was published
 * meanwhile; and a connect reply lost in the network is replayed from the positions the client acknowledges, so
 * plain Faye gets every message exactly once.
 */
class FayeHeraldExtensionTest {

    private static final ChannelName CHANNEL = ChannelName.of("/ext/a");

    private static Map<String, String> env(BayeuxTestServer server, Path dir) throws Exception {
        HttpResponse<String> script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.bayeux() + "/" + BayeuxHandler.FAYE_EXTENSION)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        Path file = dir.resolve("herald-faye.cjs");
        Files.writeString(file, script.body());
        return Map.of("HERALD_FAYE_EXT", file.toUri().toString(), "HERALD_FAYE_STORE", dir.resolve("state.json").toString());
    }

    private static List<String> publish(BayeuxTestServer server, int from, int to) {
        List<String> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            server.herald.publish(CHANNEL, "{\"n\":" + i + "}");
            sent.add("{\"n\":" + i + "}");
        }
        return sent;
    }

    @Test
    void theClientIdSurvivesAProcessRestart(@TempDir Path dir) throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "3s"))) {
            Map<String, String> env = env(server, dir);
            List<String> expected = new ArrayList<>();
            List<String> received = new ArrayList<>();
            String clientId;
            try (NodeFaye first = new NodeFaye(server.bayeux().toString(), CHANNEL.value(), env, "herald-ext")) {
                clientId = first.next("handshake").get("clientId").asText();
                first.next("subscribed");
                expected.addAll(publish(server, 0, 3));
                received.addAll(first.messages(3));
                first.kill();
            }
            expected.addAll(publish(server, 3, 7));
            try (NodeFaye second = new NodeFaye(server.bayeux().toString(), CHANNEL.value(), env, "herald-ext")) {
                assertThat(second.next("handshake").get("clientId").asText()).isEqualTo(clientId);
                received.addAll(second.messages(4));
                expected.addAll(publish(server, 7, 8));
                received.addAll(second.messages(1));
            }
            assertThat(received).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aLostConnectReplyIsReplayedFromTheAcknowledgedPositions(@TempDir Path dir) throws Exception {
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "3s"));
             TcpProxy proxy = new TcpProxy(server.uri.getPort())) {
            Map<String, String> env = env(server, dir);
            try (NodeFaye faye = new NodeFaye("http://127.0.0.1:" + proxy.port() + "/bayeux", CHANNEL.value(), env, "herald-ext")) {
                String clientId = faye.next("handshake").get("clientId").asText();
                faye.next("subscribed");
                List<String> expected = new ArrayList<>(publish(server, 0, 3));
                List<String> received = new ArrayList<>(faye.messages(3));
                await().until(() -> server.server().local(clientId).isHolding());
                long delivered = (Long) server.server().stats().get("delivered");
                proxy.swallow();
                expected.addAll(publish(server, 3, 6));
                await().until(() -> (Long) server.server().stats().get("delivered") > delivered);
                proxy.down();
                expected.addAll(publish(server, 6, 9));
                await().pollDelay(Duration.ofSeconds(2)).until(() -> true); // the network stays down a while
                proxy.up();
                received.addAll(faye.messages(6));
                expected.addAll(publish(server, 9, 10));
                received.addAll(faye.messages(1));
                assertThat(received).containsExactlyElementsOf(expected);
                assertThat((Long) server.server().stats().get("batchesResent")).isPositive();
            }
        }
    }
}
