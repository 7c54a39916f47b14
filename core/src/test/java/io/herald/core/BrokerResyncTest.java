package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.SessionStore;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.core.memory.MemorySessionStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A broker that loses messages and says so (its connection dropped): the engine fills every live channel
 * from history, and tells pattern subscribers that what it cannot list may be gone (G2: never silence).
 */
class BrokerResyncTest {

    /** A memory broker whose deliveries can be cut, as a dropped connection would, and that can refuse subscriptions. */
    static final class LossyBroker implements Broker {
        final MemoryBroker delegate = new MemoryBroker();
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile boolean refuseSubscriptions;

        @Override
        public void publish(Message message) {
            if (!down) {
                delegate.publish(message);
            }
        }

        @Override
        public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
            if (refuseSubscriptions) {
                throw new io.herald.api.StoreException("cannot subscribe to " + channelOrPattern + " (test outage)");
            }
            listeners.add(listener);
            return delegate.subscribe(channelOrPattern, listener);
        }

        void recover() {
            down = false;
            listeners.forEach(Listener::onResync);
        }
    }

    @Test
    void afterAnOutageLiveChannelsAreFilledFromHistoryAndPatternsAreWarned() {
        LossyBroker broker = new LossyBroker();
        try (Herald herald = Herald.builder().store(new AbstractModule() {
            @Override
            protected void configure() {
                bind(HistoryStore.class).toInstance(new MemoryHistoryStore());
                bind(Broker.class).toInstance(broker);
                bind(SessionStore.class).toInstance(new MemorySessionStore());
                bind(PresenceStore.class).toInstance(new MemoryPresenceStore());
            }
        }).build().start()) {
            EngineTest.Recorder exact = new EngineTest.Recorder();
            EngineTest.Recorder pattern = new EngineTest.Recorder();
            ChannelName room = ChannelName.of("/chat/room");
            herald.engine().subscribe(Principal.ANONYMOUS, room, Resume.live(), exact);
            herald.engine().subscribe(Principal.ANONYMOUS, ChannelName.of("/other/*"), Resume.live(), pattern);
            herald.publish(room, "{\"n\":1}");
            broker.down = true;
            herald.publish(room, "{\"n\":2}");
            herald.publish(Publication.json(ChannelName.of("/other/x"), "{\"lost\":true}"));
            broker.recover();
            await().until(() -> exact.payloads().size() == 2 && !pattern.events.isEmpty());
            assertThat(exact.payloads()).containsExactly("{\"n\":1}", "{\"n\":2}");
            // One warning per pass; reports of one outage that straddle a pass may make two.
            assertThat(pattern.events).isNotEmpty().allSatisfy(event -> assertThat(event).isInstanceOfSatisfying(Gap.class, gap -> {
                assertThat(gap.channel()).isEqualTo(ChannelName.of("/other/*"));
                assertThat(gap.reset()).isTrue();
            }));
        }
    }
}
