package io.herald.rabbitmq;

import io.herald.core.config.Settings;
import java.util.HashMap;
import java.util.Map;

/** Settings for the local RabbitMQ (127.0.0.1:5672, guest/guest; {@code HERALD_TEST_RABBITMQ_URL} overrides). */
final class RabbitTestSupport {

    static final String URL = System.getenv().getOrDefault("HERALD_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/");
    /** The tests' exchange; each test publishes under channels of its own, so they share it. */
    static final String EXCHANGE = "herald.test";

    private RabbitTestSupport() {
    }

    static Settings settings(Map<String, String> more) {
        Map<String, String> values = new HashMap<>();
        values.put(RabbitSettings.URL.key(), URL);
        values.put(RabbitSettings.EXCHANGE.key(), EXCHANGE);
        values.put(RabbitSettings.RECOVERY_INTERVAL.key(), "200ms");
        values.putAll(more);
        return Settings.of(values);
    }

    static RabbitBroker broker() {
        return new RabbitBroker(RabbitSettings.from(settings(Map.of())));
    }
}
