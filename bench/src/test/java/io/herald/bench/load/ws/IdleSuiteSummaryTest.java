package io.herald.bench.load.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The idle suite's table and ratios, from figures given here. */
class IdleSuiteSummaryTest {

    @Test
    void theSummaryGivesRabbitMqsMemoryPerConnectionOverHeralds() {
        List<IdleSuite.Result> results = List.of(
                new IdleSuite.Result("herald", 1000, 100L << 20, (100L << 20) + 10_240_000, 50L << 20, (50L << 20) + 8_192_000, 1010, 1.0),
                new IdleSuite.Result("rabbitmq", 1000, 80L << 20, (80L << 20) + 163_840_000, -1, -1, 2010, 1.0));
        String summary = IdleSuite.summary(results);
        assertThat(summary).contains("| herald | 1000 | 100 | 110 | 10.0 | 8.0 | 1.00 |");
        assertThat(summary).contains("| rabbitmq | 1000 | 80 | 236 | 160.0 | - | 1.00 |");
        assertThat(summary).contains("rabbitmq RSS per connection / Herald's: RSS x16.0, over Herald's heap after GC x20.0");
        assertThat(summary).doesNotContain("heap after GC per connection");
    }

    @Test
    void againstAJvmPeerTheHeapsAreComparedToo() {
        List<IdleSuite.Result> results = List.of(
                new IdleSuite.Result("herald", 1000, 100L << 20, (100L << 20) + 10_240_000, 50L << 20, (50L << 20) + 4_096_000, 1010, 1.0),
                new IdleSuite.Result("cometd", 1000, 90L << 20, (90L << 20) + 20_480_000, 40L << 20, (40L << 20) + 12_288_000, 1010, 1.0));
        assertThat(IdleSuite.summary(results)).contains("cometd heap after GC per connection / Herald's: x3.0");
    }

    @Test
    void aHeraldBuildBeforeAChangeIsComparedWithHeraldAndNotTakenForThePeer() {
        List<IdleSuite.Result> results = List.of(
                new IdleSuite.Result("herald-before", 1000, 100L << 20, (100L << 20) + 20_480_000, 50L << 20, (50L << 20) + 12_288_000, 1010, 1.0),
                new IdleSuite.Result("herald", 1000, 100L << 20, (100L << 20) + 10_240_000, 50L << 20, (50L << 20) + 4_096_000, 1010, 1.0),
                new IdleSuite.Result("cometd", 1000, 90L << 20, (90L << 20) + 20_480_000, 40L << 20, (40L << 20) + 12_288_000, 1010, 1.0));
        assertThat(IdleSuite.summary(results))
                .contains("herald-before heap after GC per connection / herald's: x3.00, RSS x2.00")
                .contains("cometd heap after GC per connection / Herald's: x3.0");
    }
}
