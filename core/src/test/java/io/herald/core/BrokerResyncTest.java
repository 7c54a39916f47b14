package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.SessionStore;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.core.memory.MemorySessionStore;
import java.util.stream.IntStream;
import java.util.ArrayList;
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

    /**
     * The broker lost messages while the channel's history was lost and began again in a new epoch (a Redis
     * master failing over to a replica that lacked its last writes, during which every node's pub/sub
     * reconnected): the resync tells the reset, then delivers what history holds of the new epoch, with a
     * retention gap for what it no longer holds, as a live message of the new epoch would lead to. It used to
     * jump to the new epoch's head, so every message published during the outage was skipped, and a
     * subscriber waiting for the last of them (RedisClusterFailoverTest) waited in vain.
     */
    @Test
    void afterAnOutageThatRestartedTheHistoryTheNewEpochIsDeliveredFromItsStart() {
        LossyBroker broker = new LossyBroker();
        ControlledHistoryStore history = new ControlledHistoryStore();
        ChannelName room = ChannelName.of("/chat/room");
        try (Herald herald = Herald.builder().store(new AbstractModule() {
            @Override
            protected void configure() {
                bind(HistoryStore.class).toInstance(history);
                bind(Broker.class).toInstance(broker);
                bind(SessionStore.class).toInstance(new MemorySessionStore());
                bind(PresenceStore.class).toInstance(new MemoryPresenceStore());
            }
        }).build().start()) {
            EngineTest.Recorder exact = new EngineTest.Recorder();
            EngineTest.Recorder pattern = new EngineTest.Recorder();
            herald.engine().subscribe(Principal.ANONYMOUS, room, Resume.live(), exact);
            herald.engine().subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/*"), Resume.live(), pattern);
            Position before = herald.publish(room, "{\"n\":1}").position();
            await().until(() -> exact.payloads().size() == 1);

            broker.down = true;
            history.lose();
            // More than history keeps (100 by default): the oldest of the new epoch are gone by the resync.
            List<Position> during = new ArrayList<>();
            for (int n = 2; n <= 151; n++) {
                during.add(herald.publish(room, "{\"n\":" + n + "}").position());
            }
            String epoch = during.get(0).epoch();
            assertThat(epoch).as("epoch after the history was lost").isNotEqualTo(before.epoch());
            broker.recover();
            // The resync first, then a live message: the resync alone must bring what was published meanwhile.
            await().until(() -> exact.events.stream().anyMatch(Gap.class::isInstance));
            herald.publish(room, "{\"n\":152}");
            await().until(() -> exact.payloads().contains("{\"n\":152}"));

            List<String> expected = new ArrayList<>(List.of("{\"n\":1}"));
            IntStream.rangeClosed(52, 152).forEach(n -> expected.add("{\"n\":" + n + "}"));
            for (EngineTest.Recorder recorder : List.of(exact, pattern)) {
                List<Object> ofRoom = recorder.events.stream().filter(e -> !(e instanceof Gap g) || g.channel().equals(room)).toList();
                assertThat(ofRoom).filteredOn(Gap.class::isInstance).as("gaps of %s", room).containsExactly(
                        Gap.reset(room, epoch, before.offset(), 1),
                        Gap.retention(room, epoch, 0, 51));
                assertThat(ofRoom.indexOf(Gap.reset(room, epoch, before.offset(), 1))).as("the reset comes right after the last message of the old epoch")
                        .isEqualTo(1);
                assertThat(ofRoom.indexOf(Gap.retention(room, epoch, 0, 51))).as("the retention gap comes right before the oldest message kept")
                        .isEqualTo(2);
                assertThat(ofRoom).filteredOn(Message.class::isInstance).extracting(e -> ((Message) e).payload().utf8())
                        .as("messages of %s: the first, then all history keeps of the new epoch, then live", room).isEqualTo(expected);
            }
        }
    }
}
