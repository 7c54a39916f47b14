package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.util.Modules;
import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionStore;
import io.herald.bayeux.BayeuxServer;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.PluginSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBrokerModule;
import io.herald.core.memory.MemorySessionStore;
import io.herald.core.memory.MemoryStoreModule;
import io.herald.core.spi.StoreModule;
import io.herald.testkit.ForwardingSessionStore;
import jakarta.inject.Singleton;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.cometd.client.BayeuxClient;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.junit.jupiter.api.Test;

/**
 * A client without acknowledgements (CometD 9's Java client, no extensions) that the server cuts off for a full
 * outbox resumes from the cursors its connection kept, so it gets no message twice. The server once answered the
 * held connect before the closing connection had kept its cursors; the client's next connect resumed the session
 * from where its subscription had stood when the connection opened and got all it had already been written again
 * (ReceiveThroughputBench, 2026-12-05: the channel's first 411 messages twice). A session store that takes its
 * time to keep a cursor (as a remote one does) turns that race into a certainty here.
 */
class CutOffResumeTest {

    private static final int MESSAGES = 5_000;

    @Test
    void aClientCutOffForAFullOutboxGetsEveryMessageOnce() throws Exception {
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(4 << 20);
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000").with(CoreSettings.SUBSCRIBER_QUEUE, "64");
        try (TestHerald server = new TestHerald(settings, new SlowCursorStore())) {
            BayeuxServer bayeux = server.herald.injector().getInstance(BayeuxServer.class);
            BayeuxClient client = new BayeuxClient(server.bayeux().toString(), new WebSocketTransport(new HashMap<>(), null, container));
            int[] calls = new int[MESSAGES + 1];
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger handled = new AtomicInteger();
            try {
                CountDownLatch handshaken = new CountDownLatch(1);
                client.handshake(reply -> handshaken.countDown());
                assertThat(handshaken.await(10, TimeUnit.SECONDS)).isTrue();
                CountDownLatch subscribed = new CountDownLatch(1);
                client.getChannel("/cut/off").subscribe((c, m) -> { // CometD calls a listener from one thread at a time
                    int n = ((Number) m.getDataAsMap().get("n")).intValue();
                    calls[n]++;
                    order.add(n);
                    handled.incrementAndGet();
                }, r -> subscribed.countDown());
                assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < MESSAGES; i++) {
                    server.herald.publish(ChannelName.of("/cut/off"), "{\"n\":" + i + "}");
                }
                server.herald.publish(ChannelName.of("/cut/off"), "{\"n\":" + MESSAGES + "}"); // last: what repeats comes before it
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.get() > 0 && calls[MESSAGES] > 0);
            } finally {
                client.disconnect(1000);
            }
            assertThat((Long) bayeux.stats().get("cutOffs")).as("the burst cut the client off").isPositive();
            List<Integer> repeated = new ArrayList<>();
            List<Integer> missing = new ArrayList<>();
            for (int n = 0; n <= MESSAGES; n++) {
                if (calls[n] > 1) {
                    repeated.add(n);
                } else if (calls[n] == 0) {
                    missing.add(n);
                }
            }
            assertThat(repeated).as("messages handled more than once").isEmpty();
            assertThat(missing).as("messages never handled (a cut-off client resumes from history)").isEmpty();
            assertThat(order).as("in order").isSorted();
        }
    }

    /** The memory store, whose session store takes 300 ms to keep a cursor. */
    static final class SlowCursorStore extends AbstractModule implements StoreModule {

        @Override
        public PluginSettings settings() {
            return PluginSettings.NONE;
        }

        @Override
        public Module defaultBroker() {
            return new MemoryBrokerModule();
        }

        @Override
        protected void configure() {
            install(Modules.override(new MemoryStoreModule()).with(new AbstractModule() {
                @Provides
                @Singleton
                SessionStore sessions(Clock clock) {
                    return new ForwardingSessionStore(new MemorySessionStore(clock)) {
                        @Override
                        public void advance(String id, String key, Position cursor) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                            super.advance(id, key, cursor);
                        }
                    };
                }
            }));
        }
    }
}
