package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Broker;
import io.herald.api.HistoryStore;
import io.herald.api.Position;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.sse.SseEventId;
import io.herald.sse.SseTransportModule;
import io.herald.testkit.scenario.TwoNodeResumeScenario;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two Herald servers sharing PostgreSQL, with the postgres broker (the jdbc store's default there), behave as
 * one: the testkit scenario.
 */
class TwoNodeResumeTest extends TwoNodeResumeScenario {

    private static final String PREFIX = Databases.uniquePrefix();

    @AfterAll
    static void dropTables() {
        Databases.POSTGRESQL.dropTables(PREFIX);
    }

    @Override
    protected Herald node() {
        Settings settings = Databases.POSTGRESQL.settings(PREFIX).with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1")
                .with(HttpSettings.STOP_TIMEOUT, "500ms");
        JdbcStoreModule store = new JdbcStoreModule(settings);
        return Herald.builder().settings(settings).store(store).module(new HttpServerModule()).module(new SseTransportModule(settings))
                .build().start();
    }

    @Override
    protected String lastEventIdAfter(Position position) {
        return SseEventId.encode(List.of(position));
    }

    @Test
    void theNodesFanOutThroughThePostgresBrokerNotifyingInTheAppendTransaction() {
        Herald node = node();
        try {
            Broker broker = node.injector().getInstance(Broker.class);
            assertThat(broker).as("the jdbc store's default broker on PostgreSQL").isInstanceOf(PostgresBroker.class);
            assertThat(node.injector().getInstance(HistoryStore.class).publishesTo(broker))
                    .as("appends NOTIFY in their own transaction").isTrue();
        } finally {
            node.stop();
        }
    }
}
