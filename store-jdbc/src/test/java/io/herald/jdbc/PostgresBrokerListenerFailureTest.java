package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.testkit.contract.RecordingListener;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws, on a message or on a resync, does not end the postgres broker's listening thread: the
 * other listeners keep getting every message, before and after a reconnect (real PostgreSQL).
 */
class PostgresBrokerListenerFailureTest {

    private static Message message(ChannelName channel, long offset) {
        return Message.of(Publication.json(channel, "{\"n\":" + offset + "}"), new Position("e1", offset), "m" + offset,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void aFailingListenerLeavesTheOthersTheirMessages() throws Exception {
        String prefix = Databases.uniquePrefix();
        PostgresBroker broker = new PostgresBroker(JdbcSettings.from(Databases.POSTGRESQL.settings(prefix)));
        broker.start();
        try {
            ChannelName channel = ChannelName.of("/failing/listener");
            AtomicInteger failures = new AtomicInteger();
            broker.subscribe(channel, new Broker.Listener() {
                @Override
                public void onMessage(Message message) {
                    failures.incrementAndGet();
                    throw new IllegalStateException("a listener's bug on " + message.position());
                }

                @Override
                public void onResync() {
                    failures.incrementAndGet();
                    throw new IllegalStateException("a listener's bug on resync");
                }
            });
            RecordingListener working = new RecordingListener();
            broker.subscribe(channel, working);

            Message first = message(channel, 1);
            Message second = message(channel, 2);
            broker.publish(first);
            broker.publish(second);
            Awaitility.await("both messages reach the listener that works").until(() -> working.messages().size() >= 2);

            // A reconnect makes every listener resync, the failing one first or not: the thread goes on either way.
            Databases.POSTGRESQL.execute(prefix, "SELECT pg_terminate_backend(" + broker.listenerPid() + ")");
            Awaitility.await("the working listener is told to resync").until(() -> working.resyncs() > 0);
            Message third = message(channel, 3);
            broker.publish(third);
            Awaitility.await("a message after the reconnect reaches it too").until(() -> working.messages().size() >= 3);

            assertThat(working.messages()).containsExactly(first, second, third);
            assertThat(failures.get()).as("calls of the failing listener: 3 messages and a resync").isEqualTo(4);
        } finally {
            broker.stop();
        }
    }
}
