package io.herald.bench.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One short round of {@link RabbitBench} against the local RabbitMQ: both paths publish with confirms and report. */
class RabbitBenchSmokeTest {

    @Test
    @DisplayName("one round of Herald and raw confirm-publishing runs and reports both rates")
    void oneRound() throws Exception {
        String url = System.getenv().getOrDefault("HERALD_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/");
        String report = RabbitBench.run(url, 2000, 1, 64, 100);
        assertThat(report).contains("| 1 | ", "| median | ", "2000 messages per round, 64 in flight");
    }

    @Test
    @DisplayName("one small round of cross-node delivery runs all three paths and delivers every message")
    void crossNode() throws Exception {
        String url = System.getenv().getOrDefault("HERALD_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/");
        String redis = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");
        String report = CrossNodeBench.run(url, redis, 1000, 1, 64);
        assertThat(report).contains("| raw amqp-client (ceiling) | ", "| Herald through RabbitMQ | ", "| Herald through Redis pub/sub | ");
    }
}
