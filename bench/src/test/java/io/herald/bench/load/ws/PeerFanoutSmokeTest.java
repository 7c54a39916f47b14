package io.herald.bench.load.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bayeux.BayeuxTransportModule;
import io.herald.bench.load.LoadOptions;
import io.herald.bench.load.LoadResult;
import io.herald.bench.load.LoadRun;
import io.herald.bench.load.ServerProbe;
import io.herald.bench.load.bayeux.BayeuxFanoutScenario;
import io.herald.bench.load.bayeux.CometdServer;
import io.herald.bench.load.stomp.StompFanoutScenario;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.stomp.StompTransportModule;
import io.herald.api.SessionStore;
import io.herald.core.SessionService;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the STOMP and Bayeux fan-out load briefly, end to end, against each server the suites compare:
 * an in-process Herald (STOMP and Bayeux transports on a free port), RabbitMQ Web-STOMP (the machine's
 * RabbitMQ on 15674, as the transport-stomp tests use it; CI enables the plugin), and a real CometD
 * server in this JVM. Checks the counts are exact: every subscriber gets every measured message once,
 * in order, no error. Not a benchmark: figures are only checked to be present.
 */
class PeerFanoutSmokeTest {

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void startHerald() {
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        herald = Herald.builder().settings(settings).module(new HttpServerModule())
                .transport(new StompTransportModule(settings)).transport(new BayeuxTransportModule(settings)).build().start();
        port = herald.injector().getInstance(HeraldHttpServer.class).port();
    }

    @AfterAll
    static void stopHerald() {
        herald.stop();
    }

    private static LoadOptions options() {
        return LoadOptions.parse("--rate", "100", "--warmup", "0.3", "--duration", "1", "--drain", "10", "--heap", "false");
    }

    private static void assertExact(LoadResult r, WebSocketFanoutScenario scenario, int subscribers) {
        assertThat(r.errors()).as("first error: %s", r.firstError()).isZero();
        assertThat(r.sends()).isEqualTo(100);
        assertThat(r.expected()).isEqualTo(100L * subscribers);
        assertThat(r.delivered()).isEqualTo(100L * subscribers);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicated()).isZero();
        assertThat(r.reordered()).isZero();
        assertThat(r.p50Micros()).isPositive();
        assertThat(r.maxMicros()).isGreaterThanOrEqualTo(r.p99Micros());
        assertThat(scenario.clientCpuShare()).isPositive();
        assertThat(r.windowDeliveredPerSecond()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "client-individual"})
    void everyStompSubscriberOfHeraldGetsEveryMessageOnceInOrder(String ack) throws Exception {
        LoadOptions options = options();
        StompFanoutScenario scenario = new StompFanoutScenario(StompFanoutScenario.Target.herald("127.0.0.1", port,
                "/topic/bench.smoke-" + ack), 30, ack, 32, ServerProbe.NONE, options.warmupSends(), 8);

        LoadResult r = new LoadRun(scenario, options).run(1);

        assertThat(r.scenario()).isEqualTo(ack.equals("auto") ? "stomp-herald" : "stomp-herald-ack");
        assertExact(r, scenario, 30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "client-individual"})
    void everyStompSubscriberOfRabbitMqWebStompGetsEveryMessageOnceInOrder(String ack) throws Exception {
        LoadOptions options = options();
        StompFanoutScenario scenario = new StompFanoutScenario(StompFanoutScenario.Target.rabbitmq("127.0.0.1", 15674,
                "/topic/herald-bench.smoke-" + ack), 20, ack, 32, ServerProbe.NONE, options.warmupSends(), 8);

        LoadResult r = new LoadRun(scenario, options).run(1);

        assertExact(r, scenario, 20);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyBayeuxClientOfHeraldGetsEveryMessageOnceInOrder(boolean ack) throws Exception {
        LoadOptions options = options();
        BayeuxFanoutScenario scenario = new BayeuxFanoutScenario("herald", URI.create("ws://127.0.0.1:" + port + "/bayeux"),
                "/bench/smoke-" + ack, 30, ack, 32, ServerProbe.NONE, options.warmupSends(), 8);

        LoadResult r = new LoadRun(scenario, options).run(1);

        assertThat(r.scenario()).isEqualTo(ack ? "bayeux-herald-ack" : "bayeux-herald");
        assertExact(r, scenario, 30);
        assertEveryBayeuxClientLeft();
    }

    /**
     * The clients sent {@code /meta/disconnect} when the run ended: no session is left on the server, still
     * subscribed, to weigh on a sweep's next step.
     */
    private static void assertEveryBayeuxClientLeft() {
        SessionStore store = herald.injector().getInstance(SessionService.class).store();
        assertThat(store.purgeExpired(Instant.now().plus(Duration.ofDays(365)))).as("sessions left after the run").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyBayeuxClientOfARealCometdServerGetsEveryMessageOnceInOrder(boolean ack) throws Exception {
        try (CometdServer cometd = new CometdServer("127.0.0.1", 0).start()) {
            LoadOptions options = options();
            BayeuxFanoutScenario scenario = new BayeuxFanoutScenario("cometd",
                    URI.create("ws://127.0.0.1:" + cometd.port() + CometdServer.PATH), "/bench/smoke", 30, ack, 32,
                    ServerProbe.NONE, options.warmupSends(), 8);

            LoadResult r = new LoadRun(scenario, options).run(1);

            assertThat(r.scenario()).isEqualTo(ack ? "bayeux-cometd-ack" : "bayeux-cometd");
            assertExact(r, scenario, 30);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyChatRoomMemberOfHeraldGetsEveryMessageOfItsRoomOnceInOrder(boolean ack) throws Exception {
        LoadOptions options = options();
        BayeuxFanoutScenario scenario = new BayeuxFanoutScenario("herald", URI.create("ws://127.0.0.1:" + port + "/bayeux"),
                "/bench/chat-smoke-" + ack, 3, 30, ack, 32, ServerProbe.NONE, options.warmupSends(), 8);

        LoadResult r = new LoadRun(scenario, options).run(1);

        assertThat(r.scenario()).isEqualTo(ack ? "bayeux-chat-herald-ack" : "bayeux-chat-herald");
        assertExact(r, scenario, 30);
        assertEveryBayeuxClientLeft();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyChatRoomMemberOfARealCometdServerGetsEveryMessageOfItsRoomOnceInOrder(boolean ack) throws Exception {
        try (CometdServer cometd = new CometdServer("127.0.0.1", 0).start()) {
            LoadOptions options = options();
            BayeuxFanoutScenario scenario = new BayeuxFanoutScenario("cometd",
                    URI.create("ws://127.0.0.1:" + cometd.port() + CometdServer.PATH), "/bench/chat", 3, 30, ack, 32,
                    ServerProbe.NONE, options.warmupSends(), 8);

            LoadResult r = new LoadRun(scenario, options).run(1);

            assertThat(r.scenario()).isEqualTo(ack ? "bayeux-chat-cometd-ack" : "bayeux-chat-cometd");
            assertExact(r, scenario, 30);
        }
    }

    @Test
    void aStompFrameIsParsedIntoCommandHeadersAndBody() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        StompFanoutScenario.parseForTest("\nMESSAGE\nsubscription:0\nack:7-1-2\n\n{\"seq\":5}\0\nRECEIPT\nreceipt-id:sub-1\n\n\0",
                seen::add);
        assertThat(seen).containsExactly("MESSAGE|7-1-2|{\"seq\":5}", "RECEIPT|null|");
    }
}
