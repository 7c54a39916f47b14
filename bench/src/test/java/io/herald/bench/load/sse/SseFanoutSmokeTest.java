package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.bench.load.LoadOptions;
import io.herald.bench.load.LoadResult;
import io.herald.bench.load.LoadRun;
import io.herald.bench.load.ServerProbe;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.sse.SseTransportModule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the SSE load briefly, end to end, and checks the counts are exact: against an in-process Herald
 * (HTTP server and SSE transport on a free port, publishing into the engine) and against the raw ceiling
 * (publishing over HTTP). Not a benchmark: the figures are only checked to be present.
 */
class SseFanoutSmokeTest {

    private static final ChannelName CHANNEL = ChannelName.of("/bench/smoke");

    private Herald herald;
    private SseTarget target;

    @BeforeEach
    void startHerald() {
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        herald = Herald.builder().settings(settings).module(new HttpServerModule())
                .transport(new SseTransportModule(settings)).build().start();
        int port = herald.injector().getInstance(HeraldHttpServer.class).port();
        target = SseTarget.herald("127.0.0.1", port, CHANNEL.value());
    }

    @AfterEach
    void stopHerald() {
        herald.stop();
    }

    @Test
    void everyStreamGetsEveryMessageOnceAndInOrderFromHerald() throws Exception {
        LoadOptions options = LoadOptions.parse("--rate", "100", "--warmup", "0.5", "--duration", "2", "--drain", "10",
                "--heap", "false");
        SseFanoutScenario scenario = new SseFanoutScenario(target, 50, new EnginePublisher(herald, CHANNEL, 64),
                ServerProbe.NONE, options.warmupSends(), SseStreams.loopbackAliases(2), 1, 16);

        LoadResult r = new LoadRun(scenario, options).run(1);

        assertThat(r.scenario()).isEqualTo("sse-herald");
        assertThat(r.sends()).isEqualTo(200);
        assertThat(r.expected()).isEqualTo(200 * 50);
        assertThat(r.delivered()).isEqualTo(200 * 50);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicated()).isZero();
        assertThat(r.reordered()).isZero();
        assertThat(r.errors()).as("first error: %s", r.firstError()).isZero();
        assertThat(r.p50Micros()).isPositive();
        assertThat(r.maxMicros()).isGreaterThanOrEqualTo(r.p99Micros());
        assertThat(scenario.clientCpuShare()).isPositive();
    }

    @Test
    void theCeilingDeliversThePublishedBytesToEveryStreamOverHttp() throws Exception {
        try (SseCeilingServer ceiling = new SseCeilingServer("127.0.0.1", 0).start()) {
            SseTarget ceilingTarget = SseTarget.ceiling("127.0.0.1", ceiling.port());
            LoadOptions options = LoadOptions.parse("--rate", "100", "--warmup", "0.2", "--duration", "1", "--drain", "10",
                    "--heap", "false");
            SseFanoutScenario scenario = new SseFanoutScenario(ceilingTarget, 20, new HttpSsePublisher(ceilingTarget, 16),
                    ServerProbe.NONE, options.warmupSends(), SseStreams.loopbackAliases(2), 1, 16);

            LoadResult r = new LoadRun(scenario, options).run(1);

            assertThat(r.delivered()).isEqualTo(100 * 20);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.reordered()).isZero();
            assertThat(r.errors()).as("first error: %s", r.firstError()).isZero();
        }
    }

    @Test
    void clientsThatReconnectWithTheirLastEventIdGetExactlyWhatTheyMissed() throws Exception {
        SseBench bench = new SseBench(target, ServerProbe.NONE, () -> new EnginePublisher(herald, CHANNEL, 16), null,
                SseStreams.loopbackAliases(2), 1, 16, 16, -1);

        CatchUp.Result r = new CatchUp(30, 20).run(bench);

        assertThat(r.complete()).as("%s", r).isTrue();
        assertThat(r.exact()).isEqualTo(30);
        assertThat(r.wrong()).isZero();
        assertThat(r.seconds()).isPositive();
        assertThat(r.p99Micros()).isGreaterThanOrEqualTo(r.p50Micros()).isPositive();
    }

    @Test
    void aRefusedStreamIsReportedWithTheStatus() throws Exception {
        java.util.List<String> ends = new java.util.concurrent.CopyOnWriteArrayList<>();
        SseStreams.Listener listener = new SseStreams.Listener() {
            @Override
            public void onEvent(int stream, String type, long seq) {
            }

            @Override
            public void onEnd(int stream, String reason) {
                ends.add(stream + ": " + reason);
            }
        };
        try (SseStreams streams = new SseStreams(target.server(), 1, 1, java.util.List.of(), 1, listener)) {
            streams.open(0, "/sse?channel=/meta/forbidden", null);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !ends.isEmpty());
        }
        assertThat(ends).singleElement().asString().startsWith("0: answered 'HTTP/1.1 400");
    }
}
