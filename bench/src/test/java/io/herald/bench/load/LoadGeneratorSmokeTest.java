package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs tiny loads end to end against the in-process raw ceiling handler and checks the counts are exact. */
class LoadGeneratorSmokeTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void ceilingScenarioDeliversEveryMeasuredRequestExactlyOnce() throws Exception {
        List<LoadResult> results = LoadGenerator.run(LoadOptions.parse("--scenarios", "ceiling", "--rate", "100",
                "--warmup", "0.5", "--duration", "2", "--heap", "false"), out);

        assertThat(results).hasSize(1);
        LoadResult r = results.get(0);
        assertThat(r.sends()).isEqualTo(200);
        assertThat(r.expected()).isEqualTo(200);
        assertThat(r.delivered()).isEqualTo(200);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicated()).isZero();
        assertThat(r.reordered()).isEqualTo(-1);
        assertThat(r.errors()).isZero();
        assertThat(r.p50Micros()).isPositive();
        assertThat(r.maxMicros()).isGreaterThanOrEqualTo(r.p99Micros());
        assertThat(r.serverCpuNanos()).isPositive();
        assertThat(r.cpuMicrosPerDelivery()).isPositive();
        assertThat(r.rssBytes()).isPositive();
        assertThat(r.heapAfterGcBytes()).isEqualTo(-1);
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("{\"scenario\":\"ceiling\",\"repetition\":1,").contains("\"delivered\":200,\"");
        assertThat(text).contains("delivered/s").contains("p99.9 ms");
    }

    @Test
    void scenariosAgainstServersOfTheirOwnReadThemThroughProc() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (CeilingServer server = new CeilingServer("127.0.0.1", 0).start();
             CeilingServer ceiling = new CeilingServer("127.0.0.1", 0).start()) {
            List<LoadResult> results = LoadGenerator.run(LoadOptions.parse("--scenarios", "publish,ceiling",
                    "--url", server.publishUri().toString(), "--server-pid", pid,
                    "--ceiling-url", ceiling.publishUri().toString(), "--ceiling-pid", pid,
                    "--rate", "100", "--warmup", "0", "--duration", "1", "--repeat", "2"), out);

            assertThat(results).extracting(LoadResult::scenario).containsExactly("publish", "ceiling", "publish", "ceiling");
            for (LoadResult r : results) {
                assertThat(r.sends()).isEqualTo(100);
                assertThat(r.delivered()).isEqualTo(100);
                assertThat(r.lost()).isZero();
                assertThat(r.errors()).isZero();
                assertThat(r.serverCpuNanos()).isGreaterThanOrEqualTo(0);
                assertThat(r.rssBytes()).isPositive();
                assertThat(r.heapAfterGcBytes()).isPositive();
                assertThat(r.probe()).isEqualTo("process " + pid + " (/proc)");
            }
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .contains("publish vs ceiling (>1 is better)")
                    .contains("{\"ratio\":\"publish\",\"to\":\"ceiling\"");
        }
    }

    @Test
    void refusedRequestsCountAsErrorsAndLostWithTheReason() throws Exception {
        try (CeilingServer server = new CeilingServer("127.0.0.1", 0).start()) {
            String wrongPath = "http://127.0.0.1:" + server.port() + "/api/nothing";
            List<LoadResult> results = LoadGenerator.run(LoadOptions.parse("--scenarios", "publish", "--url", wrongPath,
                    "--rate", "100", "--warmup", "0", "--duration", "0.5", "--drain", "2", "--heap", "false"), out);

            LoadResult r = results.get(0);
            assertThat(r.sends()).isEqualTo(50);
            assertThat(r.delivered()).isZero();
            assertThat(r.lost()).isEqualTo(50);
            assertThat(r.errors()).isEqualTo(50);
            assertThat(r.firstError()).contains("HTTP 404").contains("/api/nothing");
            assertThat(r.p99Micros()).isEqualTo(-1);
            assertThat(r.cpuMicrosPerDelivery()).isEqualTo(-1);
            assertThat(r.toJson()).contains("\"latencyMicros\":{\"p50\":null,");
        }
    }

    @Test
    void anUnknownScenarioIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> LoadGenerator.run(LoadOptions.parse("--scenarios", "ceiling,sse"), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown scenario 'sse'")
                .hasMessageContaining("ceiling, publish");
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
