package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many clients on one {@link HeraldTransport}: each keeps its own conversation (more clients than Jetty's default
 * of 64 connections per server, so held long polls would starve without the shared transport's own limits), a
 * client that stops leaves the others and the transport running, and closing the transport releases its I/O
 * threads.
 */
class SharedTransportTest {

    private static final int CLIENTS = 70;

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    void clientsOnOneTransportEachGetTheirMessagesAndStopAlone(String transport) throws Exception {
        List<HeraldClient> clients = new ArrayList<>();
        try (TestHerald server = new TestHerald(Settings.defaults(), null);
             HeraldTransport shared = HeraldTransport.shared()) {
            List<List<String>> got = new ArrayList<>();
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                HeraldClient client = HeraldClient.builder(server.bayeux()).transports(transport).transport(shared).build();
                clients.add(client);
                List<String> own = new CopyOnWriteArrayList<>();
                got.add(own);
                String channel = i % 2 == 0 ? "/shared/c" + i : "/shared/*";
                ready.add(client.connect().thenCompose(v -> client.subscribe(channel, m -> own.add(m.channel() + " " + m.json()))));
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < CLIENTS; i += 2) {
                server.herald.publish(ChannelName.of("/shared/c" + i), "{\"n\":" + i + "}");
            }
            await().untilAsserted(() -> {
                for (int i = 0; i < CLIENTS; i++) {
                    assertThat(got.get(i)).as("client %d", i).hasSize(i % 2 == 0 ? 1 : CLIENTS / 2);
                }
            });
            assertThat(got.get(4)).containsExactly("/shared/c4 {\"n\":4}");

            // One stops: the transport and the others go on.
            clients.get(0).stop();
            assertThat(shared.isRunning()).isTrue();
            server.herald.publish(ChannelName.of("/shared/c2"), "{\"n\":-2}");
            await().until(() -> got.get(2).size() == 2 && got.get(1).size() == CLIENTS / 2 + 1);
            assertThat(threads("herald-transport-")).isPositive();
            clients.forEach(HeraldClient::stop);
            assertThat(shared.isRunning()).isTrue();
        } finally {
            clients.forEach(HeraldClient::close);
        }
        await().untilAsserted(() -> assertThat(threads("herald-transport-")).as("the shared transport's threads").isZero());
    }

    @org.junit.jupiter.api.Test
    void aClosedTransportIsRefused() {
        HeraldTransport closed = HeraldTransport.shared();
        closed.close();
        assertThatThrownBy(() -> HeraldClient.builder(java.net.URI.create("http://127.0.0.1:1/bayeux")).transport(closed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> HeraldTransport.shared(java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }
}
