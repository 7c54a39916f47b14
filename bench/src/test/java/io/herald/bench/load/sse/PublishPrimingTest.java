package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.bench.load.ServerProbe;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The priming publishes before a fan-out: over real HTTP to the raw ceiling, and where each server's other channel is. */
class PublishPrimingTest {

    private static SseBench bench(SseTarget target) {
        return new SseBench(target, ServerProbe.NONE, () -> {
            try {
                return new HttpSsePublisher(target, 16);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, null, SseStreams.loopbackAliases(2), 1, 16, 16, -1);
    }

    @Test
    void everyPrimingPublishReachesThePrimingStream() throws Exception {
        try (SseCeilingServer ceiling = new SseCeilingServer("127.0.0.1", 0).start()) {
            PublishPriming.Result primed = PublishPriming.run(bench(SseTarget.ceiling("127.0.0.1", ceiling.port())), 300);

            assertThat(primed.messages()).isEqualTo(300);
            assertThat(primed.seconds()).isPositive();
            assertThat(primed.toJson()).contains("\"primed\":\"ceiling\"", "\"messages\":300");
        }
    }

    @Test
    void aServerThatRefusesThePublishesFailsThePriming() throws Exception {
        try (SseCeilingServer ceiling = new SseCeilingServer("127.0.0.1", 0).start()) {
            SseTarget ceilingTarget = SseTarget.ceiling("127.0.0.1", ceiling.port());
            SseTarget wrongPath = new SseTarget("ceiling", ceilingTarget.server(), ceilingTarget.streamPath(),
                    URI.create("http://127.0.0.1:" + ceiling.port() + "/no-such-path"), false, "/");

            assertThatThrownBy(() -> PublishPriming.run(bench(wrongPath), 10))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("/no-such-path");
        }
    }

    @Test
    void thePrimingChannelIsTheSameServersOtherChannel() {
        SseTarget herald = SseTarget.herald("127.0.0.1", 8080, "/bench/sse").onChannel("/bench/sse/prime");
        assertThat(herald.streamPath()).isEqualTo("/sse?channel=/bench/sse/prime");
        assertThat(herald.publishUri()).isEqualTo(URI.create("http://127.0.0.1:8080/api/publish"));
        assertThat(herald.publishBody("{}")).isEqualTo("{\"channel\":\"/bench/sse/prime\",\"data\":{}}");

        SseTarget nchan = SseTarget.nchan("127.0.0.1", 8082, "/bench/sse").onChannel("/bench/sse/prime");
        assertThat(nchan.streamPath()).isEqualTo("/sub?channel=_bench_sse_prime");
        assertThat(nchan.publishUri()).isEqualTo(URI.create("http://127.0.0.1:8082/pub?channel=_bench_sse_prime"));

        SseTarget ceiling = SseTarget.ceiling("127.0.0.1", 8081);
        assertThat(ceiling.onChannel("/elsewhere")).isEqualTo(ceiling);
    }
}
