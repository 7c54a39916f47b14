package io.herald.presence;

import static io.herald.presence.SharedMemoryCluster.connect;
import static io.herald.presence.SharedMemoryCluster.presence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.PresenceStore.OnlineUser;
import io.herald.api.Principal;
import io.herald.core.AckMode;
import io.herald.core.Connection;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Presence scenarios on a controlled clock (grace 5 s, connection TTL 30 s), one or two nodes sharing memory
 * stores: user aggregation, the grace period, a dead node's connection, online time, the companion channel.
 */
@DisplayName("presence scenarios on a controlled clock")
class PresenceScenarioTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room1");
    private static final ChannelName COMPANION = ChannelName.of("/presence/chat/room1");
    private static final Principal ALICE = new Principal("alice", null, Map.of());
    private static final Principal BOB = new Principal("bob", null, Map.of());
    private static final Settings SETTINGS = Settings.defaults()
            .with(PresenceSettings.GRACE, "5s")
            .with(PresenceSettings.TTL, "30s")
            .with(PresenceSettings.SWEEP, "1h")         // the tests sweep themselves, on their own clock
            .with(PresenceSettings.CHANNELS, "/chat/**");

    private final SharedMemoryCluster cluster = new SharedMemoryCluster(SETTINGS);

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Instant at(long seconds) {
        return Instant.parse("2026-01-01T00:00:00Z").plusSeconds(seconds);
    }

    private void advanceTo(long seconds) {
        cluster.advanceTo(at(seconds));
    }

    /** The companion channel's messages as JSON, once {@code count} are there (publishing is asynchronous). */
    private List<String> companion(Herald node, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.engine().history(COMPANION, null, 100).messages().size() >= count);
        return node.engine().history(COMPANION, null, 100).messages().stream()
                .map(m -> m.type() + " " + m.payload().utf8()).toList();
    }

    @Test
    @DisplayName("three connections of one user: one join, no leave until the third goes and the grace is over")
    void threeConnectionsOneUser() {
        Herald node = cluster.node();
        PresenceService presence = presence(node);
        Connection tab1 = connect(node, ALICE, ROOM);
        advanceTo(1);
        Connection tab2 = connect(node, ALICE, ROOM);
        Connection tab3 = connect(node, ALICE, ROOM);

        assertThat(cluster.events).as("events after alice's three connections").containsExactly(
                new PresenceEvent(PresenceEvent.Kind.JOIN, ROOM, "alice", 1, at(0)));
        assertThat(presence.users(ROOM)).as("users of %s", ROOM).containsExactly(new OnlineUser(ROOM, "alice", 3, at(0)));

        advanceTo(10);
        tab1.close();
        tab2.close();
        advanceTo(60);
        assertThat(presence.sweep()).as("leaves swept with one of alice's connections left").isEmpty();
        assertThat(presence.users(ROOM)).as("users of %s with one connection left", ROOM).containsExactly(new OnlineUser(ROOM, "alice", 1, at(0)));

        tab3.close();
        advanceTo(64);
        assertThat(presence.sweep()).as("leaves swept 4 s after the last connection went").isEmpty();
        advanceTo(65);
        assertThat(presence.sweep()).as("leaves swept 5 s after the last connection went").containsExactly(
                new PresenceEvent(PresenceEvent.Kind.LEAVE, ROOM, "alice", 0, at(60)));
        assertThat(presence.sweep()).as("leaves swept again").isEmpty();
        assertThat(cluster.events(PresenceEvent.Kind.LEAVE)).as("leave events").hasSize(1);
        assertThat(companion(node, 2)).as("messages on %s", COMPANION).containsExactly(
                "join {\"event\":\"join\",\"user\":\"alice\",\"connections\":1,\"at\":\"2026-01-01T00:00:00Z\"}",
                "leave {\"event\":\"leave\",\"user\":\"alice\",\"connections\":0,\"at\":\"2026-01-01T00:01:00Z\"}");
        assertThat(presence.onlineTime(ROOM, "alice")).as("alice's online time").isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("a reload within the grace: no leave, no new join")
    void reloadWithinTheGrace() {
        Herald node = cluster.node();
        PresenceService presence = presence(node);
        connect(node, ALICE, ROOM).close();
        advanceTo(4);
        assertThat(presence.sweep()).as("leaves swept 4 s after alice's page closed").isEmpty();
        Connection reloaded = connect(node, ALICE, ROOM);
        advanceTo(120);

        assertThat(presence.sweep()).as("leaves swept once alice is back").isEmpty();
        assertThat(cluster.events).as("events of a reload within the grace").containsExactly(
                new PresenceEvent(PresenceEvent.Kind.JOIN, ROOM, "alice", 1, at(0)));
        assertThat(presence.users(ROOM)).as("users after the reload").containsExactly(new OnlineUser(ROOM, "alice", 1, at(0)));

        reloaded.close();
        advanceTo(130);
        assertThat(presence.sweep()).as("leaves once alice closed her page for good").hasSize(1);
    }

    @Test
    @DisplayName("a connection whose node died without a leave: exactly one leave, seen on the other node, within TTL + grace")
    void deadNodeConnection() {
        Herald alive = cluster.node();
        Herald dying = cluster.node();
        connect(alive, ALICE, ROOM);
        connect(dying, BOB, ROOM);
        assertThat(cluster.events(PresenceEvent.Kind.JOIN)).as("joins").extracting(PresenceEvent::user).containsExactly("alice", "bob");

        cluster.kill(dying);
        PresenceService survivor = presence(alive);
        for (long s = 10; s <= 34; s += 4) {
            advanceTo(s);
            assertThat(survivor.sweep()).as("leaves swept %d s after the node died (TTL 30 s + grace 5 s not over)", s).isEmpty();
        }
        advanceTo(35);
        assertThat(survivor.sweep()).as("leaves swept at 35 s").containsExactly(
                new PresenceEvent(PresenceEvent.Kind.LEAVE, ROOM, "bob", 0, at(30)));
        advanceTo(100);
        assertThat(survivor.sweep()).as("leaves swept later").isEmpty();
        assertThat(presence(alive).users(ROOM)).as("users once bob's node is gone").containsExactly(new OnlineUser(ROOM, "alice", 1, at(0)));
        assertThat(companion(alive, 3)).as("messages on %s seen on the surviving node", COMPANION).hasSize(3)
                .last().asString().startsWith("leave {\"event\":\"leave\",\"user\":\"bob\"");
    }

    @Test
    @DisplayName("overlapping connections of one user are counted once in the online time")
    void overlappingSessionsCountOnce() {
        Herald node = cluster.node();
        PresenceService presence = presence(node);
        Connection first = connect(node, ALICE, ROOM);
        advanceTo(10);
        Connection second = connect(node, ALICE, ROOM);
        advanceTo(20);
        first.close();
        advanceTo(25);
        assertThat(presence.onlineTime(ROOM, "alice")).as("alice's time 25 s in, online").isEqualTo(Duration.ofSeconds(25));
        advanceTo(30);
        second.close();
        advanceTo(40);
        presence.sweep();
        assertThat(presence.onlineTime(ROOM, "alice")).as("alice's time: from 0 to 30 s, two connections overlapping 10 s")
                .isEqualTo(Duration.ofSeconds(30));

        advanceTo(100);
        Connection again = connect(node, ALICE, ROOM);
        advanceTo(110);
        assertThat(presence.onlineTime(ROOM, "alice")).as("alice's time 10 s into a second session").isEqualTo(Duration.ofSeconds(40));
        again.close();
    }

    @Test
    @DisplayName("one connection subscribed twice is one client; patterns, other channels and companions have no presence")
    void whatIsTracked() {
        Herald node = cluster.node();
        PresenceService presence = presence(node);
        Connection c = connect(node, ALICE, ROOM);
        c.subscribe("again", ROOM, Resume.live(), AckMode.AUTO, 0);
        c.subscribe("pattern", ChannelName.of("/chat/*"), Resume.live(), AckMode.AUTO, 0);
        c.subscribe("news", ChannelName.of("/news/today"), Resume.live(), AckMode.AUTO, 0);
        c.subscribe("companion", COMPANION, Resume.live(), AckMode.AUTO, 0);

        assertThat(presence.users(ROOM)).as("users of %s, subscribed twice by one connection", ROOM)
                .containsExactly(new OnlineUser(ROOM, "alice", 1, at(0)));
        assertThat(cluster.presence.members(ROOM)).as("members of %s", ROOM).hasSize(1);
        assertThat(cluster.presence.members(ChannelName.of("/news/today"))).as("members of a channel outside presence.channels").isEmpty();
        assertThat(cluster.presence.members(COMPANION)).as("members of a companion channel").isEmpty();

        c.unsubscribe("again", true);
        assertThat(presence.users(ROOM)).as("users after one of two subscriptions ended").containsExactly(new OnlineUser(ROOM, "alice", 1, at(0)));
        c.unsubscribe("s", true);
        assertThat(presence.users(ROOM)).as("users after both subscriptions ended, within the grace")
                .containsExactly(new OnlineUser(ROOM, "alice", 0, at(0)));
    }

    @Test
    @DisplayName("anonymous connections are users of their own, by session")
    void anonymousConnections() {
        Herald node = cluster.node();
        Connection one = connect(node, Principal.ANONYMOUS, ROOM);
        Connection two = connect(node, Principal.ANONYMOUS, ROOM);

        assertThat(presence(node).users(ROOM)).as("users of two anonymous connections").extracting(OnlineUser::userId)
                .containsExactly(one.session().id(), two.session().id());
        assertThat(cluster.events(PresenceEvent.Kind.JOIN)).as("joins of two anonymous connections").hasSize(2);
    }

    @Test
    @DisplayName("the companion channel carries joins and leaves to subscribers, like any channel")
    void companionSubscribers() {
        Herald node = cluster.node();
        List<Message> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Connection watcher = node.sessions().connect(node.sessions().ephemeral(BOB), new Connection.Wire() {
            @Override
            public void writable() {
            }

            @Override
            public void cutOff() {
            }
        }, false);
        watcher.subscribe("presence", COMPANION, Resume.live(), AckMode.AUTO, 0);
        connect(node, ALICE, ROOM);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            watcher.drain(100, new Connection.Items() {
                @Override
                public void message(io.herald.core.ConnectionSubscription subscription, Message message, boolean redelivered) {
                    received.add(message);
                }

                @Override
                public void gap(io.herald.core.ConnectionSubscription subscription, io.herald.api.Gap gap) {
                }
            });
            return !received.isEmpty();
        });
        assertThat(received.get(0).payload().utf8()).as("what a subscriber of %s received", COMPANION)
                .isEqualTo("{\"event\":\"join\",\"user\":\"alice\",\"connections\":1,\"at\":\"2026-01-01T00:00:00Z\"}");
        assertThat(received.get(0).type()).as("event type").isEqualTo("join");
    }

    @Test
    @DisplayName("presence.info shows the listed token claims as member info, and nothing else")
    void infoFromClaims() {
        try (SharedMemoryCluster withInfo = new SharedMemoryCluster(SETTINGS.with(PresenceSettings.INFO, "name"))) {
            Herald node = withInfo.node();
            Principal named = new Principal("alice", null, Map.of("name", "Alice A.", "email", "alice@example.com"));
            connect(node, named, ROOM);
            assertThat(withInfo.presence.members(ROOM)).as("members of %s", ROOM).singleElement()
                    .satisfies(m -> assertThat(m.info()).as("info of alice's connection").isEqualTo(Map.of("name", "Alice A.")));
        }
        Herald node = cluster.node();
        connect(node, new Principal("bob", null, Map.of("name", "Bob")), ROOM);
        assertThat(cluster.presence.members(ROOM).get(0).info()).as("info with presence.info unset").isEmpty();
    }

    @Test
    @DisplayName("a subscription the Authorizer refuses joins nothing and tells nothing")
    void refusedSubscriptionIsNoJoin() {
        Herald node = cluster.node();
        Principal outsider = new Principal("eve", List.of(ChannelName.of("/other/**")), Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(node, outsider, ROOM))
                .isInstanceOf(io.herald.api.AccessDeniedException.class).hasMessageContaining(ROOM.value());

        assertThat(presence(node).users(ROOM)).as("users after a refused subscription").isEmpty();
        assertThat(cluster.presence.members(ROOM)).as("members after a refused subscription").isEmpty();
        assertThat(cluster.events).as("events after a refused subscription").isEmpty();
    }
}
