package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark's set-up and one invocation outside JMH and checks that exactly the expected
 * deliveries happened, so that no benchmark can silently measure nothing.
 */
class BenchmarkSmokeTest {

    private final OneChannelFanOutBenchmark fanOut = new OneChannelFanOutBenchmark();

    @ParameterizedTest
    @ValueSource(strings = {"counting", "outbox"})
    void oneChannelDeliversToEveryOneOfTenThousandSubscribers(String kind) {
        OneChannelFanOutBenchmark.TenThousand state = new OneChannelFanOutBenchmark.TenThousand();
        state.subscriber = kind;
        state.setUp();
        try {
            Message m = fanOut.publishTo10000(state);
            assertThat(m.channel()).isEqualTo(OneChannelFanOutBenchmark.CHANNEL);
            assertThat(state.receivers().delivered()).isEqualTo(OneChannelFanOutBenchmark.LARGE);
            assertThat(state.receivers().deliveredTo(0)).isEqualTo(1);
            assertThat(state.receivers().deliveredTo(OneChannelFanOutBenchmark.LARGE - 1)).isEqualTo(1);
            assertThat(state.receivers().bytes()).isEqualTo((long) OneChannelFanOutBenchmark.LARGE * m.payload().size());
            assertThat(state.bench().engine().stats().delivered()).isEqualTo(OneChannelFanOutBenchmark.LARGE);

            fanOut.publishTo10000(state);
            assertThat(state.receivers().delivered()).isEqualTo(2L * OneChannelFanOutBenchmark.LARGE);
        } finally {
            state.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"counting", "outbox"})
    void oneChannelDeliversToEveryOneOfOneThousandSubscribers(String kind) {
        OneChannelFanOutBenchmark.OneThousand state = new OneChannelFanOutBenchmark.OneThousand();
        state.subscriber = kind;
        state.setUp();
        try {
            fanOut.publishTo1000(state);
            assertThat(state.receivers().delivered()).isEqualTo(OneChannelFanOutBenchmark.SMALL);
            assertThat(state.bench().engine().stats().delivered()).isEqualTo(OneChannelFanOutBenchmark.SMALL);
        } finally {
            state.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"counting", "outbox"})
    void manyChannelsDeliversEachPublishToItsOneSubscriberRoundRobin(String kind) {
        ManyChannelsBenchmark bench = new ManyChannelsBenchmark();
        bench.subscriber = kind;
        bench.history = "1";
        bench.setUp();
        try {
            Message first = bench.publishRoundRobin();
            assertThat(first.channel()).isEqualTo(ManyChannelsBenchmark.channel(0));
            assertThat(bench.receivers().delivered()).isEqualTo(1);
            assertThat(bench.receivers().deliveredTo(0)).isEqualTo(1);

            Message second = bench.publishRoundRobin();
            assertThat(second.channel()).isEqualTo(ManyChannelsBenchmark.channel(1));
            assertThat(bench.receivers().deliveredTo(1)).isEqualTo(1);
            assertThat(bench.receivers().delivered()).isEqualTo(2);
            assertThat(bench.bench().engine().stats().delivered()).isEqualTo(2);

            bench.bench().engine().publish(Principal.SERVER, Publication.json(ManyChannelsBenchmark.channel(0), "{}"));
            bench.receivers().flush();
            assertThat(bench.receivers().deliveredTo(0)).isEqualTo(2);
            assertThat(bench.bench().engine().history(ManyChannelsBenchmark.channel(0), null, 10).messages())
                    .as("history keeps one message per channel").hasSize(1);
        } finally {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"counting", "outbox"})
    void patternPublishReachesExactlyTheMatchingSubscriptions(String kind) {
        PatternMatchBenchmark bench = new PatternMatchBenchmark();
        bench.subscriber = kind;
        bench.setUp();
        try {
            bench.publishMatches();
            assertThat(bench.receivers().delivered()).isEqualTo(PatternMatchBenchmark.MATCHES);
            var patterns = PatternMatchBenchmark.patterns();
            for (int i = 0; i < patterns.size(); i++) {
                long expected = patterns.get(i).covers(PatternMatchBenchmark.CHANNEL) ? 1 : 0;
                assertThat(bench.receivers().deliveredTo(i)).as("subscription %d to %s", i, patterns.get(i)).isEqualTo(expected);
            }

            bench.publishLatency();
            assertThat(bench.receivers().delivered()).isEqualTo(2L * PatternMatchBenchmark.MATCHES);
            assertThat(bench.bench().engine().stats().delivered()).isEqualTo(2L * PatternMatchBenchmark.MATCHES);
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void anUnknownSubscriberKindIsRefusedByName() {
        assertThatThrownBy(() -> Receivers.of("sse", 1, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sse'");
    }
}
