package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Publication;
import io.herald.api.Retention;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The jdbc store with the postgres broker on the same tables: the append's transaction sends the NOTIFY, so a
 * listener on another node receives every message, small ones inside the notification and ones over NOTIFY's
 * 8000-byte limit fetched by position, in order; a rolled-back append notifies nothing.
 */
class NotifyInAppendTest {

    @Test
    void appendsNotifyInTheirTransactionWholeOrByPosition() throws Exception {
        String prefix = Databases.uniquePrefix();
        JdbcSettings settings = JdbcSettings.from(Databases.POSTGRESQL.settings(prefix));
        JdbcDatabase db = Databases.POSTGRESQL.start(prefix);
        PostgresBroker publisherSide = new PostgresBroker(settings);
        PostgresBroker otherNode = new PostgresBroker(settings);
        JdbcHistoryStore store = new JdbcHistoryStore(db, Retention.Policy.uniform(Retention.DEFAULT), Clock.systemUTC(), publisherSide.appendHook());
        publisherSide.start();
        otherNode.start();
        store.start();
        try {
            assertThat(store.publishesTo(publisherSide)).as("the store publishes to the postgres broker on its tables").isTrue();
            ChannelName channel = ChannelName.of("/notify/mixed");
            List<Message> received = new CopyOnWriteArrayList<>();
            try (Broker.Subscription ignored = otherNode.subscribe(channel, received::add)) {
                byte[] big = new byte[20_000];
                new java.util.Random().nextBytes(big);
                Message small = store.append(Publication.json(channel, "{\"small\":true}"));
                Message large = store.append(new Publication(channel, "big-1", "blob", Payload.copyOf(big), "application/octet-stream", Map.of("h", "v")));
                Message after = store.append(Publication.json(channel, "{\"after\":true}"));

                Awaitility.await("three notifications reach the other node").until(() -> received.size() >= 3);
                assertThat(received).as("messages the other node received through NOTIFY").containsExactly(small, large, after);
            }
        } finally {
            store.stop();
            otherNode.stop();
            publisherSide.stop();
            db.stop();
            Databases.POSTGRESQL.dropTables(prefix);
        }
    }
}
