package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Connect, subscribe (wildcards too), publish with positions, unsubscribe, refusals: over both transports. */
class HeraldClientTest {

    private TestHerald server;
    private final List<HeraldClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new TestHerald(Settings.defaults(), null);
    }

    @AfterEach
    void stop() {
        clients.forEach(HeraldClient::close);
        server.close();
    }

    private HeraldClient client(String transport) {
        HeraldClient client = HeraldClient.builder(server.bayeux()).transports(transport).build();
        clients.add(client);
        return client;
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    void subscribesPublishesAndReceivesWithPositions(String transport) throws Exception {
        HeraldClient client = client(transport);
        client.connect().get();
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
        List<ClientMessage> exact = new CopyOnWriteArrayList<>();
        List<ClientMessage> wild = new CopyOnWriteArrayList<>();
        client.subscribe("/news/today", exact::add).get();
        client.subscribe("/news/*", wild::add).get();
        Position first = client.publish("/news/today", Map.of("n", 1)).get();
        Position second = client.publishJson("/news/today", "{\"n\":2}").get();
        server.herald.publish(ChannelName.of("/news/sport"), "{\"n\":3}");
        assertThat(second.offset()).isEqualTo(first.offset() + 1);
        await().until(() -> exact.size() == 2 && wild.size() == 3);
        assertThat(exact).extracting(ClientMessage::json).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(exact).extracting(ClientMessage::position).containsExactly(first, second);
        assertThat(wild).extracting(m -> m.channel().value()).containsExactly("/news/today", "/news/today", "/news/sport");

        client.unsubscribe("/news/today").get();
        client.publish("/news/today", Map.of("n", 4)).get();
        await().until(() -> wild.size() == 4);
        assertThat(exact).hasSize(2);
    }

    @Test
    void badInputIsRefusedNamingTheChannelAndChangesNothing() throws Exception {
        HeraldClient client = client("websocket");
        client.connect().get();
        assertThatThrownBy(() -> client.subscribe("no-slash", m -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
        assertThatThrownBy(() -> client.subscribe("/meta/connect", m -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/meta/connect");
        assertThatThrownBy(() -> client.publish("/news/*", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/news/*");
        assertThatThrownBy(() -> client.publishJson("/news/a", "{not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/news/a");
        assertThatThrownBy(() -> client.unsubscribe("/never/joined").get()).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("/never/joined");
        client.subscribe("/twice", m -> { }).get();
        assertThatThrownBy(() -> client.subscribe("/twice", m -> { }).get()).hasMessageContaining("already subscribed to /twice");
        // The server refuses a /service channel nobody serves: the publish fails with its error.
        System.err.println("SERVICE"); assertThatThrownBy(() -> client.publish("/service/nobody", Map.of()).get(10, java.util.concurrent.TimeUnit.SECONDS)).hasMessageContaining("404")
                .hasMessageContaining("/service/nobody");
        assertThatThrownBy(() -> HeraldClient.builder(java.net.URI.create("ws://x/bayeux")))
                .hasMessageContaining("ws://x/bayeux");
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
    }
}
