package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PresenceStore}, as its Javadoc and {@link Member}'s state it: every presence store
 * runs it.
 *
 * <p>A backend extends this class and makes a store:
 * <pre>{@code
 * class RedisPresenceStoreContractTest extends PresenceStoreContract {
 *     @Override
 *     protected PresenceStore createStore() {
 *         return new RedisPresenceStore(redis, "test:" + RandomIds.next(8) + ":");
 *     }
 * }
 * }</pre>
 * The store is made in {@code @BeforeEach}, started if it is a {@link io.herald.api.Lifecycle}, and closed
 * in {@code @AfterEach} by {@link #closeStore}. Each test uses channels under a namespace of its own. Expiry
 * tests give members {@link TestEnvironment#shortTtl()} and poll for at most {@link TestEnvironment#timeout()}.
 * A store shared between tests must be given a key prefix of its own per test, since {@code purgeExpired}
 * hands out every expired member of the store.
 *
 * <p>Test names say which rule they check: {@code required_presence_<group>_<n>_<rule>}. Not thread-safe;
 * JUnit makes one instance per test.
 */
public abstract class PresenceStoreContract {

    /** The TTL of members a test does not let expire. */
    protected static final Duration LONG_TTL = Duration.ofMinutes(10);

    private TestEnvironment env;
    private PresenceStore store;
    private String namespace;

    /** Makes a fresh, empty store; it is started if it is a {@code Lifecycle}. */
    protected abstract PresenceStore createStore();

    /** Closes a store made by {@link #createStore}: {@code Lifecycle.stop()}, else {@code close()}. */
    protected void closeStore(PresenceStore store) throws Exception {
        Lifecycles.stop(store);
    }

    /** Timeouts and TTLs; {@link TestEnvironment#fromEnvironment()} unless overridden. */
    protected TestEnvironment environment() {
        return TestEnvironment.fromEnvironment();
    }

    /** The store under test. */
    protected final PresenceStore store() {
        return store;
    }

    @BeforeEach
    final void setUpPresenceStore() {
        env = environment();
        namespace = "p" + RandomIds.next(10);
        store = createStore();
        Lifecycles.start(store);
    }

    @AfterEach
    final void tearDownPresenceStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    // --- helpers ---

    private ChannelName channel(String name) {
        return ChannelName.of("/" + namespace + "/" + name);
    }

    private Member join(ChannelName channel, String clientId, Duration ttl) {
        return store.join(channel, clientId, "user-" + clientId, Map.of("name", clientId), ttl);
    }

    private static List<String> clientIds(List<Member> members) {
        return members.stream().map(Member::clientId).toList();
    }

    private void awaitGone(ChannelName channel, String clientId) {
        env.await(clientId + " on " + channel + " expires after " + env.shortTtl().toMillis() + " ms")
                .until(() -> !clientIds(store.members(channel)).contains(clientId));
    }

    /** The members among {@code purged} that this test made on {@code channels}. */
    private List<String> ours(List<Member> purged, Set<ChannelName> channels) {
        return purged.stream().filter(m -> channels.contains(m.channel())).map(m -> m.channel() + " " + m.clientId()).toList();
    }

    // --- the contract ---

    @Nested
    @DisplayName("1. joining, leaving and listing")
    class Membership {

        @Test
        @DisplayName("join returns the member as stored, present from now for the TTL")
        void required_presence_1_1_joinReturnsTheMember() {
            ChannelName channel = channel("room");
            Instant before = Instant.now();
            Member member = store.join(channel, "c1", "alice", Map.of("name", "Alice", "emoji", "\u2713"), LONG_TTL);

            assertThat(member.channel()).as("channel of a joined member").isEqualTo(channel);
            assertThat(member.clientId()).as("client id of a joined member").isEqualTo("c1");
            assertThat(member.userId()).as("user id of a joined member").isEqualTo("alice");
            assertThat(member.info()).as("info of a joined member").isEqualTo(Map.of("name", "Alice", "emoji", "\u2713"));
            assertThat(member.joinedAt()).as("join time").isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
            assertThat(Duration.between(member.joinedAt(), member.expiresAt())).as("presence of a member joined with a TTL of %s", LONG_TTL)
                    .isBetween(LONG_TTL.minusSeconds(1), LONG_TTL.plusSeconds(1));
            assertThat(store.members(channel)).as("members after one join").containsExactly(member);
        }

        @Test
        @DisplayName("members lists the live members in joining order, several clients of one user included")
        void required_presence_1_2_membersInJoiningOrder() {
            ChannelName channel = channel("room");
            Member c1 = join(channel, "c1", LONG_TTL);
            Member c2 = join(channel, "c2", LONG_TTL);
            Member c3 = store.join(channel, "c3", c1.userId(), Map.of(), LONG_TTL);

            assertThat(store.members(channel)).as("members of %s", channel).containsExactly(c1, c2, c3);
            assertThat(store.members(channel("empty"))).as("members of a channel nobody joined").isEmpty();
        }

        @Test
        @DisplayName("a heartbeat keeps joinedAt and the joining order, extends the life and updates the info")
        void required_presence_1_3_heartbeatKeepsJoinedAt() {
            ChannelName channel = channel("room");
            Member first = join(channel, "c1", Duration.ofMinutes(1));
            join(channel, "c2", LONG_TTL);
            Member beat = store.join(channel, "c1", "user-c1", Map.of("name", "renamed"), LONG_TTL);

            assertThat(beat.joinedAt()).as("joinedAt after a heartbeat").isEqualTo(first.joinedAt());
            assertThat(beat.info()).as("info after a heartbeat with new info").isEqualTo(Map.of("name", "renamed"));
            assertThat(beat.expiresAt()).as("expiry after a heartbeat with %s", LONG_TTL).isAfter(first.expiresAt().plus(Duration.ofMinutes(5)));
            assertThat(clientIds(store.members(channel))).as("order after c1's heartbeat").containsExactly("c1", "c2");
            assertThat(store.members(channel).get(0)).as("c1 as listed after its heartbeat").isEqualTo(beat);
        }

        @Test
        @DisplayName("leave removes a member once and leaves the others, and the same client on other channels")
        void required_presence_1_4_leaveRemovesOnce() {
            ChannelName room = channel("room");
            ChannelName lobby = channel("lobby");
            join(room, "c1", LONG_TTL);
            Member c2 = join(room, "c2", LONG_TTL);
            Member c1InLobby = join(lobby, "c1", LONG_TTL);

            assertThat(store.leave(room, "c1")).as("leave of a present member").isTrue();
            assertThat(store.leave(room, "c1")).as("leave of the same member again").isFalse();
            assertThat(store.leave(room, "never")).as("leave of a client never present").isFalse();
            assertThat(store.leave(channel("empty"), "c1")).as("leave of a channel nobody joined").isFalse();
            assertThat(store.members(room)).as("members of %s after c1 left", room).containsExactly(c2);
            assertThat(store.members(lobby)).as("members of %s after c1 left %s", lobby, room).containsExactly(c1InLobby);
        }
    }

    @Nested
    @DisplayName("2. expiry")
    class Expiry {

        @Test
        @DisplayName("a member without a heartbeat expires and is no longer listed; one that beats stays")
        void required_presence_2_1_expiredMemberIsNotListed() {
            ChannelName channel = channel("room");
            // 'quiet' joins second, so once it has expired the first TTL of 'beating' has run out too.
            Duration ttl = env.shortTtl().multipliedBy(2);
            join(channel, "beating", ttl);
            join(channel, "quiet", ttl);
            Member beat = join(channel, "beating", LONG_TTL);
            Member steady = join(channel, "steady", LONG_TTL);

            awaitGone(channel, "quiet");
            assertThat(store.members(channel)).as("members after 'quiet' expired").containsExactly(beat, steady);
            assertThat(store.leave(channel, "quiet")).as("leave of an expired member").isFalse();
        }

        @Test
        @DisplayName("joining again after expiry is a new join: new joinedAt, last in order")
        void required_presence_2_2_rejoinAfterExpiryIsNew() {
            ChannelName channel = channel("room");
            Member first = join(channel, "c1", env.shortTtl());
            join(channel, "c2", LONG_TTL);
            awaitGone(channel, "c1");

            Member again = join(channel, "c1", LONG_TTL);
            assertThat(again.joinedAt()).as("joinedAt of a member joining again after it expired").isAfter(first.joinedAt());
            assertThat(clientIds(store.members(channel))).as("order after c1 joined again").containsExactly("c2", "c1");
        }
    }

    @Nested
    @DisplayName("3. purging expired members")
    class Purging {

        @Test
        @DisplayName("purgeExpired returns each expired member once, as stored, and no live one")
        void required_presence_3_1_purgeReturnsEachExpiredMemberOnce() {
            ChannelName room = channel("room");
            ChannelName lobby = channel("lobby");
            Member a = join(room, "a", env.shortTtl());
            Member b = join(room, "b", env.shortTtl());
            Member c = join(lobby, "a", env.shortTtl());
            Member live = join(room, "live", LONG_TTL);
            awaitGone(room, "a");
            awaitGone(room, "b");
            awaitGone(lobby, "a");

            List<Member> purged = store.purgeExpired(Instant.now()).stream()
                    .filter(m -> m.channel().equals(room) || m.channel().equals(lobby)).toList();
            assertThat(purged).as("members purged").containsExactlyInAnyOrder(a, b, c);
            assertThat(ours(store.purgeExpired(Instant.now()), Set.of(room, lobby))).as("members purged by a second call").isEmpty();
            assertThat(store.members(room)).as("members left after purging").containsExactly(live);
        }

        @Test
        @DisplayName("8 threads purging at once get each expired member exactly once between them")
        void required_presence_3_2_concurrentPurgeHandsOutEachOnce() throws Exception {
            List<ChannelName> channels = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                ChannelName channel = channel("room" + c);
                channels.add(channel);
                for (int i = 0; i < 40; i++) {
                    join(channel, "c" + i, env.shortTtl());
                    expected.add(channel + " c" + i);
                }
                join(channel, "live", LONG_TTL);
            }
            env.await("200 members expire").until(() -> channels.stream().allMatch(ch -> store.members(ch).size() == 1));

            List<Member> purged = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<Member>>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<Member> mine = new ArrayList<>();
                        for (int call = 0; call < 3; call++) {
                            mine.addAll(store.purgeExpired(Instant.now()));
                        }
                        return mine;
                    }));
                }
                start.countDown();
                for (Future<List<Member>> future : futures) {
                    purged.addAll(future.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            purged.addAll(store.purgeExpired(Instant.now()));

            List<String> handedOut = ours(purged, Set.copyOf(channels));
            assertThat(handedOut).as("expired members handed out by 8 threads purging at once").doesNotHaveDuplicates();
            assertThat(handedOut).as("expired members handed out by 8 threads purging at once").containsExactlyInAnyOrderElementsOf(expected);
            for (ChannelName channel : channels) {
                assertThat(clientIds(store.members(channel))).as("members of %s after purging", channel).containsExactly("live");
            }
        }

        @Test
        @DisplayName("a member that joined again after expiring is not purged")
        void required_presence_3_3_rejoinedMemberIsNotPurged() {
            ChannelName channel = channel("room");
            join(channel, "c1", env.shortTtl());
            awaitGone(channel, "c1");
            Member again = join(channel, "c1", LONG_TTL);

            store.purgeExpired(Instant.now());
            assertThat(store.members(channel)).as("members after purging, c1 having joined again").containsExactly(again);
        }

        @Test
        @DisplayName("leave of an expired member does not hide it from purgeExpired")
        void required_presence_3_4_leaveOfAnExpiredMemberLeavesItToPurge() {
            ChannelName channel = channel("room");
            Member member = join(channel, "c1", env.shortTtl());
            awaitGone(channel, "c1");

            assertThat(store.leave(channel, "c1")).as("leave of an expired member").isFalse();
            assertThat(store.purgeExpired(Instant.now())).as("members purged after a leave of an expired one").contains(member);
        }
    }
}
