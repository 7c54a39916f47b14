package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Publication;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL cuts every connection of the store (pg_terminate_backend, what a restart or failover does) while
 * a publisher keeps appending: each append either returns its position or fails with a StoreException naming
 * the channel; none is lost silently (every returned position is in history, with no hole), and appends work
 * again once the pool has reconnected.
 */
class DatabaseOutageTest {

    @Test
    void appendsDuringAConnectionKillFailClearlyAndRecover() {
        String prefix = Databases.uniquePrefix();
        JdbcDatabase db = Databases.POSTGRESQL.start(prefix);
        JdbcHistoryStore store = new JdbcHistoryStore(db, Retention.Policy.uniform(new Retention(10_000, java.time.Duration.ZERO)), Clock.systemUTC());
        store.start();
        ChannelName channel = ChannelName.of("/outage/orders");
        try {
            List<Message> stored = new ArrayList<>();
            List<StoreException> failures = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (i % 100 == 50) {
                    Databases.POSTGRESQL.execute(prefix, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'herald-" + prefix + "'");
                }
                try {
                    stored.add(store.append(Publication.json(channel, "{\"n\":" + i + "}")));
                } catch (StoreException e) {
                    failures.add(e);
                }
            }
            assertThat(failures).as("failures during the cuts").allSatisfy(e ->
                    assertThat(e.getMessage()).contains("cannot append to " + channel).contains("database at"));
            Awaitility.await("appends work again after the cut").ignoreExceptions()
                    .until(() -> store.append(Publication.json(channel, "{\"after\":true}")) != null);
            List<Long> returned = stored.stream().map(Message::offset).toList();
            List<Message> history = store.replay(channel, null, 10_000).messages();
            assertThat(history.stream().map(Message::offset).toList()).as("offsets in history: consecutive, no hole")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, history.size()).boxed().toList());
            assertThat(history.stream().map(Message::offset).toList()).as("every position an append returned is in history")
                    .containsAll(returned);
            // An append whose commit went through but whose answer was lost with the connection failed for its
            // caller and is in history: a failure means "not known to be stored", never "stored twice".
            assertThat(history.size()).as("messages in history: the ones returned, the one after the cut, at most the failed ones")
                    .isBetween(returned.size() + 1, returned.size() + 1 + failures.size());
            assertThat(failures).as("appends that failed while the connections were cut").isNotEmpty();
        } finally {
            store.stop();
            db.stop();
            Databases.POSTGRESQL.dropTables(prefix);
        }
    }
}
