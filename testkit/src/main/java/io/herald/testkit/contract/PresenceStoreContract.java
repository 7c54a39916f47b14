package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.api.PresenceStore.Arrival;
import io.herald.api.PresenceStore.Offline;
import io.herald.api.PresenceStore.OnlineUser;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
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
 * hands out every expired member of the store. A store shared by several nodes overrides
 * {@link #createPeerStore()}, so that the user-level rules (one join, one offline per user) are checked
 * between two nodes racing, not only between two threads.
 *
 * <p>Test names say which rule they check: {@code required_presence_<group>_<n>_<rule>}. Not thread-safe;
 * JUnit makes one instance per test.
 */
public abstract class PresenceStoreContract {

    /** The TTL of members a test does not let expire. */
    protected static final Duration LONG_TTL = Duration.ofMinutes(10);

    private TestEnvironment env;
    private PresenceStore store;
    private PresenceStore peer;
    private String namespace;

    /** Makes a fresh, empty store; it is started if it is a {@code Lifecycle}. */
    protected abstract PresenceStore createStore();

    /**
     * Another node's view of the store under test: the same data through another connection, made once per
     * test after {@link #createStore} (which it may read fields of). By default the store itself.
     */
    protected PresenceStore createPeerStore() {
        return store;
    }

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
        peer = createPeerStore();
        if (peer != store) {
            Lifecycles.start(peer);
        }
    }

    @AfterEach
    final void tearDownPresenceStore() throws Exception {
        if (peer != null && peer != store) {
            closeStore(peer);
        }
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

    // --- users ---

    private Arrival arrive(PresenceStore on, ChannelName channel, String clientId, String userId, Duration ttl) {
        return on.arrive(channel, clientId, userId, Map.of("tab", clientId), ttl);
    }

    private static List<String> users(List<Offline> offline, Set<ChannelName> channels) {
        return offline.stream().filter(o -> channels.contains(o.channel())).map(o -> o.channel() + " " + o.userId()).toList();
    }

    private static Duration millis(Instant from, Instant to) {
        return Duration.between(from, to).truncatedTo(ChronoUnit.MILLIS);
    }

    @Nested
    @DisplayName("4. users: online with their first client, leaving with their last, offline once")
    class Users {

        @Test
        @DisplayName("three clients of one user: one join, one user listed with three connections")
        void required_presence_4_1_threeClientsAreOneUser() {
            ChannelName room = channel("room");
            Arrival first = arrive(store, room, "tab1", "alice", LONG_TTL);
            Arrival second = arrive(peer, room, "tab2", "alice", LONG_TTL);
            Arrival third = arrive(store, room, "tab3", "alice", LONG_TTL);
            Arrival bob = arrive(peer, room, "b1", "bob", LONG_TTL);
            Arrival beat = arrive(store, room, "tab1", "alice", LONG_TTL);

            assertThat(first.userJoined()).as("alice's first client joining tells her join").isTrue();
            assertThat(List.of(second.userJoined(), third.userJoined())).as("alice's second and third clients joining").containsOnly(false);
            assertThat(List.of(first.connections(), second.connections(), third.connections())).as("alice's connections after each join")
                    .containsExactly(1, 2, 3);
            assertThat(beat.userJoined()).as("a heartbeat of alice's first client tells a join").isFalse();
            assertThat(beat.connections()).as("alice's connections after a heartbeat").isEqualTo(3);
            assertThat(beat.member().joinedAt()).as("joinedAt of a client after its heartbeat through arrive").isEqualTo(first.member().joinedAt());
            assertThat(bob.userJoined()).as("bob's first client joining").isTrue();
            assertThat(store.users(room)).as("users of %s", room).containsExactly(
                    new OnlineUser(room, "alice", 3, first.member().joinedAt()),
                    new OnlineUser(room, "bob", 1, bob.member().joinedAt()));
            assertThat(store.members(room)).as("members of %s", room).hasSize(4);
            assertThat(store.users(channel("empty"))).as("users of a channel nobody joined").isEmpty();
        }

        @Test
        @DisplayName("a user stays online until the last client leaves, then goes offline once a purge finds the grace over")
        void required_presence_4_2_offlineOnlyAfterTheLastClientAndTheGrace() {
            ChannelName room = channel("room");
            Arrival first = arrive(store, room, "tab1", "alice", LONG_TTL);
            arrive(peer, room, "tab2", "alice", LONG_TTL);
            arrive(store, room, "tab3", "alice", LONG_TTL);

            assertThat(store.leave(room, "tab1")).as("leave of tab1").isTrue();
            assertThat(peer.leave(room, "tab2")).as("leave of tab2").isTrue();
            assertThat(users(store.purgeOffline(Instant.now(), Duration.ZERO), Set.of(room))).as("users offline while tab3 is there").isEmpty();
            assertThat(store.users(room)).as("users while one of three clients is left")
                    .containsExactly(new OnlineUser(room, "alice", 1, first.member().joinedAt()));

            Instant beforeLast = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            assertThat(store.leave(room, "tab3")).as("leave of the last client").isTrue();
            Instant afterLast = Instant.now();
            assertThat(store.users(room)).as("users once the last client left, before any purge")
                    .containsExactly(new OnlineUser(room, "alice", 0, first.member().joinedAt()));
            assertThat(users(store.purgeOffline(Instant.now(), Duration.ofMinutes(1)), Set.of(room)))
                    .as("users offline within a grace of one minute").isEmpty();

            List<Offline> offline = peer.purgeOffline(Instant.now(), Duration.ZERO).stream().filter(o -> o.channel().equals(room)).toList();
            assertThat(offline).as("users offline once the grace is over").hasSize(1);
            assertThat(offline.get(0).userId()).as("user gone offline").isEqualTo("alice");
            assertThat(offline.get(0).since()).as("since of alice gone offline").isEqualTo(first.member().joinedAt());
            assertThat(offline.get(0).at()).as("when alice's last client went").isBetween(beforeLast, afterLast);
            assertThat(users(store.purgeOffline(Instant.now(), Duration.ZERO), Set.of(room))).as("users offline on a second purge").isEmpty();
            assertThat(store.users(room)).as("users after alice went offline").isEmpty();
        }

        @Test
        @DisplayName("a client arriving while its user is leaving takes them back: no join, same since, no offline")
        void required_presence_4_3_comingBackWithinTheGrace() {
            ChannelName room = channel("room");
            Arrival first = arrive(store, room, "tab1", "alice", LONG_TTL);
            store.leave(room, "tab1");
            Arrival back = arrive(peer, room, "tab2", "alice", LONG_TTL);

            assertThat(back.userJoined()).as("alice coming back while leaving tells a join").isFalse();
            assertThat(back.connections()).as("alice's connections once back").isEqualTo(1);
            assertThat(users(store.purgeOffline(Instant.now(), Duration.ZERO), Set.of(room))).as("users offline after alice came back").isEmpty();
            assertThat(store.users(room)).as("users after alice came back")
                    .containsExactly(new OnlineUser(room, "alice", 1, first.member().joinedAt()));

            store.leave(room, "tab2");
            store.purgeOffline(Instant.now(), Duration.ZERO);
            Arrival again = arrive(store, room, "tab3", "alice", LONG_TTL);
            assertThat(again.userJoined()).as("alice joining after she went offline").isTrue();
        }

        @Test
        @DisplayName("a user whose last client expires goes offline, at the client's expiry, exactly once")
        void required_presence_4_4_expiredLastClientTakesTheUserOffline() {
            ChannelName room = channel("room");
            Arrival live = arrive(store, room, "tab1", "alice", LONG_TTL);
            Arrival dying = arrive(store, room, "tab2", "alice", env.shortTtl());
            Arrival vanishing = arrive(peer, room, "b1", "bob", env.shortTtl());
            awaitGone(room, "tab2");
            awaitGone(room, "b1");

            assertThat(store.users(room)).as("users once tab2 and b1 expired, before any purge").containsExactly(
                    new OnlineUser(room, "alice", 1, live.member().joinedAt()),
                    new OnlineUser(room, "bob", 0, vanishing.member().joinedAt()));
            List<Offline> offline = peer.purgeOffline(Instant.now(), Duration.ZERO).stream().filter(o -> o.channel().equals(room)).toList();
            assertThat(offline).as("users offline once bob's only client expired")
                    .containsExactly(new Offline(room, "bob", vanishing.member().joinedAt(), vanishing.member().expiresAt()));
            assertThat(store.users(room)).as("users after the purge")
                    .containsExactly(new OnlineUser(room, "alice", 1, live.member().joinedAt()));
            assertThat(ours(store.purgeExpired(Instant.now()), Set.of(room))).as("expired members purgeOffline already removed").isEmpty();
            assertThat(dying.userJoined()).as("alice's second client joining").isFalse();
        }

        @Test
        @DisplayName("8 threads on two nodes joining clients of 20 users at once: each user joins exactly once")
        void required_presence_4_5_concurrentArrivalsJoinEachUserOnce() throws Exception {
            ChannelName room = channel("room");
            List<Arrival> arrivals = race(8, t -> {
                List<Arrival> mine = new ArrayList<>();
                for (int u = 0; u < 20; u++) {
                    mine.add(arrive(t % 2 == 0 ? store : peer, room, "t" + t + "u" + u, "user" + u, LONG_TTL));
                }
                return mine;
            });
            List<String> joined = arrivals.stream().filter(Arrival::userJoined).map(a -> a.member().userId()).toList();
            assertThat(joined).as("users told as joined by 160 concurrent arrivals").doesNotHaveDuplicates().hasSize(20);
            assertThat(store.users(room)).as("users after 160 concurrent arrivals").hasSize(20)
                    .allSatisfy(u -> assertThat(u.connections()).as("connections of %s", u.userId()).isEqualTo(8));
        }

        @Test
        @DisplayName("8 threads on two nodes leaving and purging at once: each user goes offline exactly once")
        void required_presence_4_6_concurrentPurgesTakeEachUserOfflineOnce() throws Exception {
            List<ChannelName> channels = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                ChannelName channel = channel("room" + c);
                channels.add(channel);
                for (int u = 0; u < 25; u++) {
                    for (int tab = 0; tab < 2; tab++) {
                        arrive(store, channel, "u" + u + "t" + tab, "user" + u, tab == 0 ? LONG_TTL : env.shortTtl());
                    }
                    expected.add(channel + " user" + u);
                }
                arrive(store, channel, "stays", "staying", LONG_TTL);
            }
            env.await("the short-lived clients expire").until(() -> channels.stream().allMatch(ch -> store.members(ch).size() == 26));

            List<Offline> offline = race(8, t -> {
                List<Offline> mine = new ArrayList<>();
                PresenceStore on = t % 2 == 0 ? store : peer;
                for (ChannelName channel : channels) {
                    for (int u = t; u < 25; u += 8) {
                        on.leave(channel, "u" + u + "t0");
                    }
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        mine.addAll(on.purgeOffline(Instant.now(), Duration.ZERO));
                    }
                }
                mine.addAll(on.purgeOffline(Instant.now(), Duration.ZERO));
                return mine;
            });
            offline.addAll(store.purgeOffline(Instant.now(), Duration.ZERO));

            List<String> handedOut = users(offline, Set.copyOf(channels));
            assertThat(handedOut).as("users taken offline by 8 threads purging on two nodes").doesNotHaveDuplicates();
            assertThat(handedOut).as("users taken offline by 8 threads purging on two nodes").containsExactlyInAnyOrderElementsOf(expected);
            for (ChannelName channel : channels) {
                assertThat(store.users(channel)).as("users of %s after the purges", channel).extracting(OnlineUser::userId).containsExactly("staying");
            }
        }

        @Test
        @DisplayName("a client keeps the user it joined with: a heartbeat naming another user counts for the first")
        void required_presence_4_7_aClientKeepsItsUser() {
            ChannelName room = channel("room");
            arrive(store, room, "tab1", "alice", LONG_TTL);
            Arrival beat = arrive(peer, room, "tab1", "mallory", LONG_TTL);

            assertThat(beat.member().userId()).as("user of tab1 after a heartbeat naming mallory").isEqualTo("alice");
            assertThat(beat.userJoined()).as("a heartbeat naming another user tells a join").isFalse();
            assertThat(store.users(room)).as("users after the heartbeat").extracting(OnlineUser::userId).containsExactly("alice");
            assertThat(store.leave(room, "tab1")).as("leave of tab1").isTrue();
            assertThat(users(store.purgeOffline(Instant.now(), Duration.ZERO), Set.of(room))).as("users offline after tab1 left")
                    .containsExactly(room + " alice");
        }
    }

    @Nested
    @DisplayName("5. online time")
    class OnlineTime {

        @Test
        @DisplayName("overlapping clients of one user count once: the time is from the first join to the last leave")
        void required_presence_5_1_overlappingClientsCountOnce() {
            ChannelName room = channel("room");
            Arrival first = arrive(store, room, "tab1", "alice", LONG_TTL);
            env.await("the clock moves").until(() -> Instant.now().isAfter(first.member().joinedAt().plusMillis(30)));
            arrive(peer, room, "tab2", "alice", LONG_TTL);
            Instant second = Instant.now();
            env.await("the clock moves").until(() -> Instant.now().isAfter(second.plusMillis(30)));
            store.leave(room, "tab1");
            Instant third = Instant.now();
            env.await("the clock moves").until(() -> Instant.now().isAfter(third.plusMillis(30)));
            peer.leave(room, "tab2");

            Offline offline = store.purgeOffline(Instant.now(), Duration.ZERO).stream().filter(o -> o.channel().equals(room)).findFirst().orElseThrow();
            Duration expected = millis(first.member().joinedAt(), offline.at());
            assertThat(store.onlineTime(room, "alice", Instant.now())).as("alice's online time with two overlapping clients, offline")
                    .isEqualTo(expected);
            assertThat(peer.onlineTime(room, "alice", Instant.now().plusSeconds(3600))).as("alice's online time an hour later")
                    .isEqualTo(expected);
            assertThat(store.onlineTimes(room, Instant.now())).as("online times on %s", room).isEqualTo(Map.of("alice", expected));
        }

        @Test
        @DisplayName("time accumulates over sessions, counts the current one up to now, and a leaving one up to its last client")
        void required_presence_5_2_timeAccumulates() {
            ChannelName room = channel("room");
            Arrival one = arrive(store, room, "tab1", "alice", LONG_TTL);
            Instant probe = one.member().joinedAt().plusSeconds(10);
            assertThat(store.onlineTime(room, "alice", probe)).as("alice's time 10 s into her first session").isEqualTo(Duration.ofSeconds(10));

            store.leave(room, "tab1");
            OnlineUser leaving = store.users(room).get(0);
            Duration firstSession = store.onlineTime(room, "alice", Instant.now().plusSeconds(60));
            assertThat(store.onlineTime(room, "alice", Instant.now().plusSeconds(120))).as("alice's time while leaving, a minute on")
                    .isEqualTo(firstSession);
            assertThat(leaving.connections()).as("alice's connections while leaving").isZero();

            Offline gone = store.purgeOffline(Instant.now(), Duration.ZERO).stream().filter(o -> o.channel().equals(room)).findFirst().orElseThrow();
            assertThat(firstSession).as("alice's first session").isEqualTo(millis(gone.since(), gone.at()));

            Arrival two = arrive(peer, room, "tab9", "alice", LONG_TTL);
            assertThat(two.userJoined()).as("alice's second session joins").isTrue();
            assertThat(store.onlineTime(room, "alice", two.member().joinedAt().plusSeconds(5))).as("alice's time 5 s into her second session")
                    .isEqualTo(firstSession.plusSeconds(5));
            assertThat(store.onlineTime(room, "nobody", Instant.now())).as("time of a user never seen").isZero();
            assertThat(store.onlineTime(channel("other"), "alice", Instant.now())).as("alice's time on a channel she never joined").isZero();
            assertThat(store.onlineTimes(room, two.member().joinedAt().plusSeconds(5))).as("online times on %s", room)
                    .isEqualTo(Map.of("alice", firstSession.plusSeconds(5)));
        }

        @Test
        @DisplayName("an absence within the grace counts as online")
        void required_presence_5_3_absenceWithinTheGraceCounts() {
            ChannelName room = channel("room");
            Arrival first = arrive(store, room, "tab1", "alice", LONG_TTL);
            store.leave(room, "tab1");
            Instant left = Instant.now();
            env.await("the clock moves").until(() -> Instant.now().isAfter(left.plusMillis(30)));
            arrive(store, room, "tab2", "alice", LONG_TTL);
            store.leave(room, "tab2");

            Offline offline = store.purgeOffline(Instant.now(), Duration.ZERO).stream().filter(o -> o.channel().equals(room)).findFirst().orElseThrow();
            assertThat(offline.since()).as("since of alice, back within the grace").isEqualTo(first.member().joinedAt());
            assertThat(store.onlineTime(room, "alice", Instant.now())).as("alice's time, absent for 30 ms within the grace")
                    .isEqualTo(millis(first.member().joinedAt(), offline.at()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(30));
        }
    }

    /** What {@code threads} tasks returned, all started at once. */
    private <T> List<T> race(int threads, ThreadTask<T> task) throws Exception {
        List<T> all = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<T>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.run(thread);
                }));
            }
            start.countDown();
            for (Future<List<T>> future : futures) {
                all.addAll(future.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        return all;
    }

    @FunctionalInterface
    private interface ThreadTask<T> {
        List<T> run(int thread) throws Exception;
    }
}
