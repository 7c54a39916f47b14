package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.InvalidChannelException;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client session driven through the connection layer with no network: subscribe, resume, gap, the ack
 * window, redelivery on the next connection, cut-off, presence hooks and expiry. What every transport gets.
 */
class ConnectionTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room");
    private static final Principal ALICE = new Principal("alice", null, java.util.Map.of());

    private final List<String> presence = new CopyOnWriteArrayList<>();
    private final List<String> expired = new CopyOnWriteArrayList<>();
    private Herald herald;
    private SessionService sessions;

    @BeforeEach
    void start() {
        herald = Herald.builder()
                .settings(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "20").with(CoreSettings.SUBSCRIBER_QUEUE, "16")
                        .with(CoreSettings.SESSION_TTL, "400ms"))
                .module(new AbstractModule() {
                    @Override
                    protected void configure() {
                        Multibinder.newSetBinder(binder(), ConnectionListener.class).addBinding().toInstance(new ConnectionListener() {
                            @Override
                            public void joined(Connection connection, ChannelName channel) {
                                presence.add("join " + connection.session().principal().name() + " " + channel);
                            }

                            @Override
                            public void left(Connection connection, ChannelName channel) {
                                presence.add("leave " + connection.session().principal().name() + " " + channel);
                            }
                        });
                        Multibinder.newSetBinder(binder(), SessionListener.class).addBinding().toInstance(new SessionListener() {
                            @Override
                            public void expired(SessionRecord session) {
                                expired.add(session.id());
                            }
                        });
                    }
                })
                .build().start();
        sessions = herald.sessions();
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    /** A transport stand-in: counts wake-ups and cut-offs, and drains on demand. */
    static final class TestWire implements Connection.Wire, Connection.Items {
        final AtomicInteger writable = new AtomicInteger();
        final AtomicInteger cutOffs = new AtomicInteger();
        final List<Object> written = new ArrayList<>();
        /** The pattern messages offered by {@link #patternOverflow}, all taken when {@link #takesOverflow}. */
        final List<Message> overflowed = new CopyOnWriteArrayList<>();
        volatile boolean takesOverflow;
        Connection connection;

        @Override
        public boolean patternOverflow(ConnectionSubscription pattern, Message message) {
            overflowed.add(message);
            return takesOverflow;
        }

        @Override
        public void writable() {
            writable.incrementAndGet();
        }

        @Override
        public void cutOff() {
            cutOffs.incrementAndGet();
        }

        @Override
        public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
            written.add((redelivered ? "again " : "") + subscription.key() + ":" + message.payload().utf8());
        }

        @Override
        public void gap(ConnectionSubscription subscription, Gap gap) {
            written.add(subscription.key() + ":gap " + gap.missed());
        }

        List<Object> drainAll() {
            while (connection.drain(100, this) > 0) {
                // keep draining
            }
            return written;
        }
    }

    private TestWire connect(ClientSession session) {
        TestWire wire = new TestWire();
        wire.connection = sessions.connect(session, wire, true);
        return wire;
    }

    private Message publish(String payload) {
        return herald.publish(ROOM, "\"" + payload + "\"");
    }

    @Test
    void liveAndResumedSubscriptionsMoveTheirCursorsAsItemsAreDrained() {
        Message first = publish("m1");
        publish("m2");
        TestWire live = connect(sessions.ephemeral(ALICE));
        ConnectionSubscription liveRoom = live.connection.subscribe("room", ROOM, Resume.live(), AckMode.AUTO, 0);
        TestWire resumed = connect(sessions.ephemeral(ALICE));
        ConnectionSubscription resumedRoom = resumed.connection.subscribe("room", ROOM, Resume.after(first.position()), AckMode.AUTO, 0);
        Message third = publish("m3");

        assertThat(live.drainAll()).containsExactly("room:\"m3\"");
        assertThat(resumed.drainAll()).containsExactly("room:\"m2\"", "room:\"m3\"");
        assertThat(liveRoom.cursor()).isEqualTo(third.position());
        assertThat(resumedRoom.cursor()).isEqualTo(third.position());
        assertThat(live.writable.get()).isPositive();
    }

    @Test
    void aPositionOlderThanRetentionGetsTheGapThenWhatHistoryHolds() {
        Message first = publish("m1");
        for (int i = 2; i <= 30; i++) {
            publish("m" + i);
        }
        TestWire wire = connect(sessions.ephemeral(ALICE));
        ConnectionSubscription room = wire.connection.subscribe("room", ROOM, Resume.after(first.position()), AckMode.AUTO, 0);
        // The catch-up is paced by the outbox (16): the rest follows as the writer drains.
        await().until(() -> wire.drainAll().size() >= 21);
        List<Object> written = wire.written;
        assertThat(written.get(0)).isEqualTo("room:gap 9");
        assertThat(written).hasSize(21).last().isEqualTo("room:\"m30\"");
        assertThat(room.cursor().offset()).isEqualTo(30);
    }

    @Test
    void aFullAckWindowPausesDeliveryAndAcksResumeItFromHistory() {
        TestWire wire = connect(sessions.ephemeral(ALICE));
        ConnectionSubscription room = wire.connection.subscribe("room", ROOM, Resume.live(), AckMode.CUMULATIVE, 3);
        List<Message> published = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            published.add(publish("m" + i));
        }
        assertThat(wire.drainAll()).containsExactly("room:\"m1\"", "room:\"m2\"", "room:\"m3\"");
        assertThat(room.unacked()).hasSize(3);
        assertThat(wire.cutOffs.get()).as("a full window is a pause, not a cut-off").isZero();

        int step = 3;
        while (wire.written.size() < 10) {
            Position last = room.unacked().get(room.unacked().size() - 1);
            assertThat(wire.connection.acknowledge("room", last, true)).isPositive();
            await().until(() -> wire.connection.queued() > 0 || wire.written.size() == 10);
            wire.drainAll();
            assertThat(room.unacked().size()).isLessThanOrEqualTo(3);
            step++;
        }
        assertThat(wire.written).containsExactlyElementsOf(published.stream().map(m -> "room:" + m.payload().utf8()).toList());
        assertThat(wire.connection.acknowledge("room", published.get(9).position(), true)).isEqualTo(1);
        assertThat(wire.connection.acknowledge("room", published.get(9).position(), true)).as("acking twice").isZero();
    }

    @Test
    void whatWasNotAckedIsRedeliveredToTheSessionsNextConnectionAndAckedOnesAreNot() {
        ClientSession session = sessions.openDurable(ALICE);
        TestWire first = connect(session);
        first.connection.subscribe("room", ROOM, Resume.live(), AckMode.INDIVIDUAL, 10);
        List<Message> published = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            published.add(publish("m" + i));
        }
        assertThat(first.drainAll()).hasSize(4);
        first.connection.acknowledge("room", published.get(1).position(), false);
        first.connection.close();

        publish("m5");
        ClientSession again = sessions.resume(session.id(), ALICE).orElseThrow();
        TestWire second = connect(again);
        second.connection.subscribe("room", ROOM, Resume.live(), AckMode.INDIVIDUAL, 10);
        publish("m6");
        assertThat(second.drainAll()).containsExactly("again room:\"m1\"", "again room:\"m3\"", "again room:\"m4\"",
                "room:\"m5\"", "room:\"m6\"");
        assertThat(sessions.resume(session.id(), new Principal("mallory", null, java.util.Map.of()))).as("another principal cannot take the session").isEmpty();
    }

    @Test
    void aConnectionThatCannotKeepUpIsCutOffOnceAndFlushesWhatItQueued() {
        TestWire wire = connect(sessions.ephemeral(ALICE));
        wire.connection.subscribe("room", ROOM, Resume.live(), AckMode.AUTO, 0);
        wire.connection.subscribe("other", ChannelName.of("/other/*"), Resume.live(), AckMode.AUTO, 0);
        for (int i = 1; i <= 40; i++) {
            publish("m" + i);
        }
        await().until(() -> wire.cutOffs.get() == 1);
        assertThat(wire.connection.isCutOff()).isTrue();
        assertThat(wire.drainAll()).hasSize(16).first().isEqualTo("room:\"m1\"");
        assertThat(herald.engine().stats().subscriptions()).isZero();
        wire.connection.close();
        assertThat(presence).containsExactlyInAnyOrder("join alice /chat/room", "join alice /other/*", "leave alice /chat/room",
                "leave alice /other/*");
        assertThat(presence.subList(0, 2)).containsExactly("join alice /chat/room", "join alice /other/*");
    }

    @Test
    void aPatternsMessageReachingASealedOrClosedConnectionIsOfferedToTheTransport() {
        TestWire wire = connect(sessions.ephemeral(ALICE));
        wire.takesOverflow = true;
        ConnectionSubscription pattern = wire.connection.subscribe("p", ChannelName.of("/chat/*"), Resume.live(), AckMode.AUTO, 0);
        // A publish under way as the pattern ends still reaches it: the transport may bring it from history.
        wire.connection.seal();
        Message second = publish("m2");
        assertThat(pattern.deliver(second)).isTrue();
        wire.connection.close();
        Message third = publish("m3");
        assertThat(pattern.deliver(third)).isTrue();
        assertThat(wire.overflowed).containsExactly(second, third);
        assertThat(wire.drainAll()).isEmpty();
    }

    @Test
    void aDeliveryQueuedBeforeItsSubscriptionEndedIsNotRecordedInTheSession() {
        ClientSession session = sessions.openDurable(ALICE);
        TestWire wire = connect(session);
        wire.connection.subscribe("room", ROOM, Resume.live(), AckMode.CUMULATIVE, 10);
        publish("m1");
        publish("m2");
        wire.connection.unsubscribe("room", false);
        // Drained after the subscription ended (a transport resubscribing the key elsewhere): never sent, so the
        // session must not count them as delivered and unacked, which the key's next subscription would inherit.
        wire.drainAll();
        var stored = sessions.store().find(session.id()).orElseThrow().subscriptions().get("room");
        assertThat(stored.unacked()).isEmpty();
    }

    @Test
    void joinsAndLeavesAreReportedOnceEach() {
        TestWire wire = connect(sessions.ephemeral(ALICE));
        wire.connection.subscribe("a", ROOM, Resume.live(), AckMode.AUTO, 0);
        wire.connection.subscribe("b", ChannelName.of("/chat/other"), Resume.live(), AckMode.AUTO, 0);
        assertThat(wire.connection.unsubscribe("a", true)).isTrue();
        assertThat(wire.connection.unsubscribe("a", true)).isFalse();
        wire.connection.close();
        wire.connection.close();
        assertThat(presence).containsExactly("join alice /chat/room", "join alice /chat/other", "leave alice /chat/room",
                "leave alice /chat/other");
    }

    @Test
    void refusedSubscriptionsChangeNothing() {
        TestWire wire = connect(sessions.ephemeral(ALICE));
        wire.connection.subscribe("room", ROOM, Resume.live(), AckMode.AUTO, 0);
        assertThatThrownBy(() -> wire.connection.subscribe("room", ChannelName.of("/x"), Resume.live(), AckMode.AUTO, 0))
                .isInstanceOf(io.herald.api.InvalidRequestException.class).hasMessageContaining("'room'");
        assertThatThrownBy(() -> wire.connection.subscribe("p", ChannelName.of("/chat/*"), Resume.live(), AckMode.CUMULATIVE, 5))
                .isInstanceOf(InvalidChannelException.class).hasMessageContaining("exact channel");
        assertThatThrownBy(() -> wire.connection.subscribe("m", ChannelName.of("/meta/x"), Resume.live(), AckMode.AUTO, 0))
                .isInstanceOf(InvalidChannelException.class);
        assertThat(wire.connection.subscriptions()).hasSize(1);
        assertThat(herald.engine().stats().subscriptions()).isEqualTo(1);
        assertThat(presence).containsExactly("join alice /chat/room");
    }

    @Test
    void aDurableSessionKeepsItsSubscriptionsAndCursorsUntilItExpires() {
        ClientSession session = sessions.openDurable(ALICE);
        TestWire first = connect(session);
        first.connection.subscribe("room", ROOM, Resume.live(), AckMode.AUTO, 0);
        publish("m1");
        first.drainAll();
        first.connection.close();
        publish("m2");

        ClientSession again = sessions.resume(session.id(), ALICE).orElseThrow();
        assertThat(again.record().subscriptions()).containsKey("room");
        TestWire second = connect(again);
        second.connection.subscribe("room", ROOM, Resume.live(), AckMode.AUTO, 0);
        assertThat(second.drainAll()).containsExactly("room:\"m2\"");
        second.connection.close();

        await().until(() -> expired.contains(session.id()));
        assertThat(sessions.resume(session.id(), ALICE)).isEmpty();
    }
}
