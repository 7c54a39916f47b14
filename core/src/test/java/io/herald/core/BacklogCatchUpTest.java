package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.InvalidRequestException;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.SubscriptionBacklog;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Core's side of {@link SubscriptionBacklog}: a durable subscription kept in a backlog gets from it, when it
 * resumes, what history lost, instead of the gap; with a backlog that began later, a smaller gap; releases
 * follow acks; the backlog goes with the subscription or its session; a refused name creates nothing.
 */
class BacklogCatchUpTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room");
    private static final Principal ALICE = new Principal("alice", null, java.util.Map.of());

    private final KeepingBacklog backlog = new KeepingBacklog();
    private Herald herald;
    private SessionService sessions;

    @BeforeEach
    void start() {
        herald = Herald.builder()
                .settings(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "10").with(CoreSettings.SESSION_TTL, "300ms"))
                .module(backlog.module())
                .build().start();
        sessions = herald.sessions();
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    private ConnectionTest.TestWire connect(ClientSession session) {
        ConnectionTest.TestWire wire = new ConnectionTest.TestWire();
        wire.connection = sessions.connect(session, wire, true);
        return wire;
    }

    private void publish(int from, int to) {
        for (int i = from; i <= to; i++) {
            herald.publish(ROOM, "\"m" + i + "\"");
        }
    }

    private static List<String> messages(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "stomp:\"m" + i + "\"").toList();
    }

    /** A durable session subscribed with acks, that took and acked m1..m3, then left; m4..m30 published meanwhile. */
    private ClientSession awayBeyondHistory(String name) {
        ClientSession session = sessions.openDurable(ALICE);
        ConnectionTest.TestWire first = connect(session);
        ConnectionSubscription sub = first.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, name);
        publish(1, 3);
        assertThat(first.drainAll()).containsExactlyElementsOf(messages(1, 3));
        sub.unacked().forEach(p -> first.connection.acknowledge("stomp", p, false));
        first.connection.close();
        publish(4, 30);
        return sessions.resume(session.id(), ALICE).orElseThrow();
    }

    @Test
    void whatHistoryLostComesFromTheBacklogInOrderWithoutAGap() {
        ClientSession session = awayBeyondHistory("kept-1");
        ConnectionTest.TestWire back = connect(session);
        back.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, "kept-1");
        await().until(() -> back.drainAll().size() >= 27);
        assertThat(back.written).as("m4..m20 from the backlog, m21..m30 from history, no gap").containsExactlyElementsOf(messages(4, 30));
        assertThat(backlog.calls).contains("open kept-1", "read kept-1 after 3", "release kept-1 3", "close kept-1");
    }

    @Test
    void aBacklogThatBeganLaterFillsWhatItHasAfterASmallerGap() {
        ClientSession session = awayBeyondHistory("kept-2");
        backlog.forgetUpTo("kept-2", 12); // as if the backlog only began with m13
        ConnectionTest.TestWire back = connect(session);
        back.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, "kept-2");
        await().until(() -> back.drainAll().size() >= 19);
        assertThat(back.written.get(0)).as("m4..m12 lost everywhere").isEqualTo("stomp:gap 9");
        assertThat(back.written.subList(1, back.written.size())).containsExactlyElementsOf(messages(13, 30));
    }

    @Test
    void withoutABacklogTheSameAbsenceIsAGap() {
        ClientSession session = awayBeyondHistory("kept-3");
        backlog.delete("kept-3");
        ConnectionTest.TestWire back = connect(session);
        back.connection.subscribe("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100);
        await().until(() -> back.drainAll().size() >= 11);
        assertThat(back.written.get(0)).isEqualTo("stomp:gap 17");
        assertThat(back.written.subList(1, back.written.size())).containsExactlyElementsOf(messages(21, 30));
    }

    @Test
    void acksReleaseAndUnsubscribingForGoodDeletesTheBacklog() {
        ClientSession session = sessions.openDurable(ALICE);
        ConnectionTest.TestWire wire = connect(session);
        ConnectionSubscription sub = wire.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, null);
        String name = backlog.defaultName(session.id(), "stomp");
        publish(1, 4);
        wire.drainAll();
        List<io.herald.api.Position> unacked = sub.unacked();
        wire.connection.acknowledge("stomp", unacked.get(1), false);
        assertThat(backlog.offsets(name)).as("nothing released while m1 is unacked").containsExactly(1L, 2L, 3L, 4L);
        wire.connection.acknowledge("stomp", unacked.get(0), false);
        assertThat(backlog.offsets(name)).as("m1 and m2 released").containsExactly(3L, 4L);
        wire.connection.unsubscribe("stomp", true);
        assertThat(backlog.calls).contains("delete " + name);
        assertThat(backlog.offsets(name)).isNull();
    }

    @Test
    void anAutoAckSubscriptionReleasesWhatWasWritten() {
        ClientSession session = sessions.openDurable(ALICE);
        ConnectionTest.TestWire wire = connect(session);
        wire.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.AUTO, 0, "auto");
        publish(1, 3);
        wire.drainAll();
        assertThat(backlog.offsets("auto")).isEmpty();
    }

    @Test
    void anExpiredSessionTakesItsBacklogsWithIt() {
        ClientSession session = sessions.openDurable(ALICE);
        ConnectionTest.TestWire wire = connect(session);
        wire.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, "chosen");
        wire.connection.subscribeKept("other", ChannelName.of("/chat/other"), Resume.live(), AckMode.INDIVIDUAL, 100, null);
        wire.connection.close();
        await().until(() -> backlog.offsets("chosen") == null);
        assertThat(backlog.calls).contains("delete chosen", "delete " + backlog.defaultName(session.id(), "other"));
    }

    @Test
    void aRefusedNameCreatesNothing() {
        ClientSession session = sessions.openDurable(ALICE);
        ConnectionTest.TestWire wire = connect(session);
        assertThatThrownBy(() -> wire.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, "bad-name"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("bad-name");
        assertThat(backlog.calls).isEmpty();
        assertThat(wire.connection.subscription("stomp")).isNull();
        assertThat(sessions.store().find(session.id()).orElseThrow().subscriptions()).isEmpty();
    }

    @Test
    void anEphemeralSessionOrAPatternKeepsNothing() {
        ConnectionTest.TestWire wire = connect(sessions.ephemeral(ALICE));
        wire.connection.subscribeKept("stomp", ROOM, Resume.live(), AckMode.INDIVIDUAL, 100, "ignored");
        ConnectionTest.TestWire durable = connect(sessions.openDurable(ALICE));
        durable.connection.subscribeKept("all", ChannelName.of("/chat/*"), Resume.live(), AckMode.AUTO, 0, "ignored2");
        assertThat(backlog.calls).isEmpty();
        Message m = herald.publish(ROOM, "\"x\"");
        assertThat(m).isNotNull();
    }
}
