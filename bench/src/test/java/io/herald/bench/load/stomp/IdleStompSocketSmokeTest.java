package io.herald.bench.load.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.stomp.StompTransportModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The idle-connection client of {@code stomp-idle} against both servers it weighs: an in-process Herald and
 * the machine's RabbitMQ Web-STOMP (15674, as the transport-stomp tests use it): each socket upgrades,
 * connects and gets its subscription's receipt; a refusal is an error naming what the server said. Not a
 * benchmark.
 */
class IdleStompSocketSmokeTest {

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void startHerald() {
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        herald = Herald.builder().settings(settings).module(new HttpServerModule()).transport(new StompTransportModule(settings))
                .build().start();
        port = herald.injector().getInstance(HeraldHttpServer.class).port();
    }

    @AfterAll
    static void stopHerald() {
        herald.stop();
    }

    private static void openAndClose(int serverPort, String path, String login, int count) throws IOException {
        List<IdleStompSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(IdleStompSocket.open("127.0.0.1", serverPort, path, "/topic/bench.idle-smoke", login, 10_000));
            }
        } finally {
            for (IdleStompSocket s : sockets) {
                s.close();
            }
        }
        assertThat(sockets).hasSize(count);
    }

    @Test
    void idleSubscribersOfHeraldGetTheirReceipts() throws Exception {
        openAndClose(port, "/stomp", null, 20);
    }

    @Test
    void idleSubscribersOfRabbitMqWebStompGetTheirReceipts() throws Exception {
        openAndClose(15674, "/ws", "guest", 5);
    }

    @Test
    void aRefusedUpgradeSaysWhatTheServerAnswered() {
        assertThatThrownBy(() -> IdleStompSocket.open("127.0.0.1", port, "/nowhere", "/topic/bench.idle-smoke", null, 10_000))
                .isInstanceOf(IOException.class).hasMessageStartingWith("upgrade refused: HTTP/1.1 4");
    }

    @Test
    void aRefusedSubscriptionSaysWhatTheServerAnswered() {
        assertThatThrownBy(() -> IdleStompSocket.open("127.0.0.1", port, "/stomp", "/nowhere/at/all", null, 10_000))
                .isInstanceOf(IOException.class).hasMessageStartingWith("expected RECEIPT, got ERROR");
    }
}
