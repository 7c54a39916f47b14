package io.herald.bench.load.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.bayeux.BayeuxServer;
import io.herald.bayeux.BayeuxSettings;
import io.herald.bayeux.BayeuxTransportModule;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The idle-connection client of {@code bayeux-idle} against both servers it weighs, in this JVM: each socket
 * handshakes, subscribes and leaves a connect held; kept alive, it answers the connects the server releases at its
 * timeout and so outlives the server's max interval on its first client id. A refusal names what the server said.
 * Not a benchmark.
 */
class IdleBayeuxSocketSmokeTest {

    private static Herald herald;
    private static BayeuxServer bayeux;
    private static int port;

    @BeforeAll
    static void startHerald() {
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1")
                .with(BayeuxSettings.TIMEOUT, "300ms").with(BayeuxSettings.MAX_INTERVAL, "1s");
        herald = Herald.builder().settings(settings).module(new HttpServerModule()).transport(new BayeuxTransportModule(settings))
                .build().start();
        port = herald.injector().getInstance(HeraldHttpServer.class).port();
        bayeux = herald.injector().getInstance(BayeuxServer.class);
    }

    @AfterAll
    static void stopHerald() {
        herald.stop();
    }

    private static long stat(String name) {
        return ((Number) bayeux.stats().get(name)).longValue();
    }

    @Test
    void keptAliveClientsOutliveTheServersMaxInterval() throws Exception {
        List<IdleBayeuxSocket> sockets = new ArrayList<>();
        long handshakes = stat("handshakes");
        long resumed = stat("resumed");
        try {
            for (int i = 0; i < 5; i++) {
                sockets.add(IdleBayeuxSocket.open("127.0.0.1", port, "/bayeux", "/bench/idle-smoke", 10_000));
            }
            long requests = stat("requests");
            // Well past the 1 s max interval: 300 ms timeouts, each answered with the next connect.
            await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(20)).until(() -> {
                for (IdleBayeuxSocket s : sockets) {
                    try {
                        s.keepAlive();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return stat("requests") - requests >= 5 * 10;
            });
            assertThat(stat("clients")).as("no client expired").isEqualTo(5);
            assertThat(stat("handshakes") - handshakes).as("none had to handshake again").isEqualTo(5);
            assertThat(stat("resumed")).as("none was released and resumed").isEqualTo(resumed);
        } finally {
            for (IdleBayeuxSocket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void idleClientsOfCometdSubscribe() throws Exception {
        try (CometdServer cometd = new CometdServer("127.0.0.1", 0).start()) {
            List<IdleBayeuxSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    sockets.add(IdleBayeuxSocket.open("127.0.0.1", cometd.port(), CometdServer.PATH, "/bench/idle-smoke", 10_000));
                }
                for (IdleBayeuxSocket s : sockets) {
                    s.keepAlive();
                }
            } finally {
                for (IdleBayeuxSocket s : sockets) {
                    s.close();
                }
            }
            assertThat(sockets).hasSize(3);
        }
    }

    @Test
    void aRefusedSubscriptionSaysWhatTheServerAnswered() {
        assertThatThrownBy(() -> IdleBayeuxSocket.open("127.0.0.1", port, "/bayeux", "/meta/nowhere", 10_000))
                .isInstanceOf(IOException.class).hasMessageStartingWith("/meta/subscribe refused: ");
    }
}
