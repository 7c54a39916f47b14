package io.herald.bench.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One short round of {@link JdbcBench} against the local PostgreSQL: every path runs, checks its count and reports. */
class JdbcBenchSmokeTest {

    @Test
    @DisplayName("one small round of appends, replay and NOTIFY runs every path beside its raw ceiling")
    void oneRound() throws Exception {
        String url = System.getenv().getOrDefault("HERALD_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getenv().getOrDefault("HERALD_JDBC_USER", "postgres");
        String report = JdbcBench.run(url, user, 500, 1, 100, 1000);
        assertThat(report).contains("| raw JDBC INSERT, one per transaction | ", "| HistoryStore.appendAsync, pipelined",
                "| raw JDBC SELECT of 1000 history rows, 100 per query | ", "| HistoryStore.replay of the same rows, 100 per call | ",
                "| appendAsync with NOTIFY in the transaction, received by a listener | ", "500 messages of 100 bytes per round (replay: 1000), best of 1");
    }
}
