package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.bayeux.BayeuxSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Links cut from the server side and sessions lost on the server: the client reconnects with backoff, rejoins
 * every channel it joined at run time (wildcards too) with no application code, keeps unsubscribed channels
 * gone, and its handlers see each message once, in order.
 */
class ReconnectTest {

    private TestHerald server;
    private HeraldClient client;
    private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    private final List<io.herald.api.Gap> gaps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        // A short connect hold, so a link that died without a word is noticed by the client's watchdog (hold +
        // maxNetworkDelay) well within the test's waits.
        server = new TestHerald(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s"), null);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private HeraldClient client(String transport) {
        client = HeraldClient.builder(server.bayeux()).transports(transport)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).maxNetworkDelay(Duration.ofSeconds(2))
                .onStateChange((state, cause) -> states.add(state)).onMissed(gaps::add).build();
        return client;
    }

    private List<String> publish(String channel, int from, int to) {
        List<String> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            server.herald.publish(ChannelName.of(channel), "{\"n\":" + i + "}");
            sent.add("{\"n\":" + i + "}");
        }
        return sent;
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    void rejoinsEveryChannelAfterDroppedLinksAndLosesNothing(String transport) throws Exception {
        HeraldClient c = client(transport);
        c.connect().get();
        List<String> exact = new CopyOnWriteArrayList<>();
        List<String> wild = new CopyOnWriteArrayList<>();
        List<String> gone = new CopyOnWriteArrayList<>();
        c.subscribe("/room/a", m -> exact.add(m.json())).get();
        c.subscribe("/wild/**", m -> wild.add(m.channel() + m.json())).get();
        c.subscribe("/gone", m -> gone.add(m.json())).get();
        List<String> expected = new ArrayList<>(publish("/room/a", 0, 5));
        await().until(() -> exact.size() == 5);
        c.unsubscribe("/gone").get();

        for (int cut = 0; cut < 3; cut++) {
            int before = states.size();
            assertThat(server.dropLinks()).isPositive();
            expected.addAll(publish("/room/a", 5 + cut * 5, 10 + cut * 5));
            await().until(() -> states.subList(before, states.size()).contains(ConnectionState.CONNECTED)
                    && c.state() == ConnectionState.CONNECTED);
        }
        // A channel joined after the cuts, and one published through the wildcard: both come.
        List<String> late = new CopyOnWriteArrayList<>();
        c.subscribe("/room/late", m -> late.add(m.json())).get();
        publish("/room/late", 0, 2);
        publish("/wild/x/y", 0, 1);
        publish("/gone", 0, 1);
        await().untilAsserted(() -> assertThat(List.of(exact.size(), late.size(), wild.size()))
                .as("exact, late, wild; gaps %s; states %s", gaps, states).containsExactly(expected.size(), 2, 1));
        assertThat(exact).containsExactlyElementsOf(expected);
        assertThat(wild).containsExactly("/wild/x/y{\"n\":0}");
        assertThat(gone).isEmpty();
        assertThat(states).contains(ConnectionState.RECONNECTING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    void aLostSessionIsHandshakenAgainAndRejoinedFromItsPositions(String transport) throws Exception {
        server.close();
        server = new TestHerald(Settings.defaults().with(BayeuxSettings.MAX_INTERVAL, "200ms"), null);
        IdentityStore identity = IdentityStore.memory();
        List<String> exact = new CopyOnWriteArrayList<>();
        List<String> wild = new CopyOnWriteArrayList<>();
        HeraldClient first = HeraldClient.builder(server.bayeux()).transports(transport).identityStore(identity).build();
        first.connect().get();
        first.subscribe("/room/b", m -> exact.add(m.json())).get();
        List<String> expected = new ArrayList<>(publish("/room/b", 0, 3));
        await().until(() -> exact.size() == 3);
        String expired = first.clientId();
        first.stop();
        // The node lets go of the stopped client after max-interval; then its session ends in the store (as
        // when its TTL runs out), so the next handshake with that id gets a fresh one.
        var bayeux = server.herald.injector().getInstance(io.herald.bayeux.BayeuxServer.class);
        await().until(() -> ((Number) bayeux.stats().get("clients")).intValue() == 0);
        server.herald.sessions().end(expired);
        expected.addAll(publish("/room/b", 3, 6));

        HeraldClient c = HeraldClient.builder(server.bayeux()).transports(transport).identityStore(identity).build();
        client = c;
        c.connect().get();
        assertThat(c.clientId()).isNotEqualTo(expired);
        c.subscribe("/room/b", m -> exact.add(m.json())).get();
        c.subscribe("/w/*", m -> wild.add(m.json())).get();
        publish("/w/z", 0, 1);
        await().untilAsserted(() -> {
            assertThat(exact).containsExactlyElementsOf(expected);
            assertThat(wild).hasSize(1);
        });
        c.publish("/room/b", Map.of("n", 6)).get();
        await().until(() -> exact.size() == 7);
        assertThat(identity.load().clientId()).isEqualTo(c.clientId());
    }
}
