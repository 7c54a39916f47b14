package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.api.SessionUnknownException;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link SessionStore}, as its Javadoc states it: every session store runs it.
 *
 * <p>A backend extends this class and makes a store:
 * <pre>{@code
 * class RedisSessionStoreContractTest extends SessionStoreContract {
 *     @Override
 *     protected SessionStore createStore() {
 *         return new RedisSessionStore(redis, "test:" + RandomIds.next(8) + ":");
 *     }
 * }
 * }</pre>
 * The store is made in {@code @BeforeEach}, started if it is a {@link io.herald.api.Lifecycle}, and closed
 * in {@code @AfterEach} by {@link #closeStore}. Expiry tests give sessions {@link TestEnvironment#shortTtl()}
 * and wait for them to expire by polling, for at most {@link TestEnvironment#timeout()}. A store shared
 * between tests (one Redis) must be given a key prefix of its own per test, since {@code purgeExpired}
 * hands out every expired session of the store.
 *
 * <p>Test names say which rule they check: {@code required_session_<group>_<n>_<rule>}. Not thread-safe;
 * JUnit makes one instance per test.
 */
public abstract class SessionStoreContract {

    /** The TTL of sessions a test does not let expire. */
    protected static final Duration LONG_TTL = Duration.ofMinutes(10);

    private static final String KEY = "sub-1";

    private TestEnvironment env;
    private SessionStore store;
    private String namespace;

    /** Makes a fresh, empty store; it is started if it is a {@code Lifecycle}. */
    protected abstract SessionStore createStore();

    /**
     * Makes a new store over the same backend data as the store under test, as a restarted server would, or
     * returns {@code null} for a store whose sessions live only in its process; the {@code optional_} restart
     * test is skipped then.
     */
    protected SessionStore restartStore() throws Exception {
        return null;
    }

    /**
     * A store over the same backend data as the store under test, as another node sharing it would have; the
     * named-session races run on both. By default {@link #restartStore()}, or the store under test itself
     * when that is {@code null} (nodes in one process share one store). Started and closed by the contract.
     */
    protected SessionStore otherNodeStore() throws Exception {
        SessionStore other = restartStore();
        return other != null ? other : store;
    }

    /** Closes a store made by {@link #createStore}: {@code Lifecycle.stop()}, else {@code close()}. */
    protected void closeStore(SessionStore store) throws Exception {
        Lifecycles.stop(store);
    }

    /** Timeouts and TTLs; {@link TestEnvironment#fromEnvironment()} unless overridden. */
    protected TestEnvironment environment() {
        return TestEnvironment.fromEnvironment();
    }

    /** The store under test. */
    protected final SessionStore store() {
        return store;
    }

    final TestEnvironment env() {
        return env;
    }

    /** A name of this test's own, for channels and session names. */
    final String namespace() {
        return namespace;
    }

    @BeforeEach
    final void setUpSessionStore() {
        env = environment();
        namespace = "s" + RandomIds.next(10);
        store = createStore();
        Lifecycles.start(store);
    }

    @AfterEach
    final void tearDownSessionStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    // --- helpers ---

    private ChannelName channel(String name) {
        return ChannelName.of("/" + namespace + "/" + name);
    }

    private SessionRecord withSubscription(Duration ttl, boolean acknowledged) {
        SessionRecord session = store.create("alice", ttl);
        store.subscribe(session.id(), SessionSubscription.of(KEY, channel("room"), acknowledged));
        return session;
    }

    private SessionSubscription subscription(String id, String key) {
        SessionRecord session = store.find(id).orElseThrow(() -> new AssertionError("session " + id + " is not found"));
        return session.subscriptions().get(key);
    }

    private static Position p(String epoch, long offset) {
        return new Position(epoch, offset);
    }

    private void awaitExpired(String... ids) {
        env.await("sessions with a TTL of " + env.shortTtl().toMillis() + " ms expire")
                .until(() -> Arrays.stream(ids).allMatch(id -> store.find(id).isEmpty()));
    }

    /** Every mutator of {@code id}, each expected to throw {@link SessionUnknownException}. */
    private Map<String, ThrowingCallable> mutators(String id) {
        Position position = p("e1", 1);
        return Map.of(
                "subscribe", () -> store.subscribe(id, SessionSubscription.of("other", channel("x"), false)),
                "unsubscribe", () -> store.unsubscribe(id, KEY),
                "advance", () -> store.advance(id, KEY, position),
                "delivered", () -> store.delivered(id, KEY, position, 10),
                "acknowledge", () -> store.acknowledge(id, KEY, position, false));
    }

    private void assertUnknown(String id, String why) {
        assertThat(store.find(id)).as("find of %s", why).isEmpty();
        mutators(id).forEach((name, call) -> assertThatThrownBy(call).as("%s of %s", name, why)
                .isInstanceOfSatisfying(SessionUnknownException.class, e -> assertThat(e.sessionId()).isEqualTo(id)));
        assertThat(store.touch(id, LONG_TTL)).as("touch of %s", why).isFalse();
        assertThat(store.find(id)).as("find of %s after touch", why).isEmpty();
    }

    private static Set<String> ids(List<SessionRecord> sessions) {
        return sessions.stream().map(SessionRecord::id).collect(Collectors.toSet());
    }

    // --- the contract ---

    @Nested
    @DisplayName("8. named sessions")
    class Names extends SessionNameRules {
        Names() {
            super(SessionStoreContract.this);
        }
    }

    @Nested
    @DisplayName("1. creating, finding and touching")
    class Sessions {

        @Test
        @DisplayName("create gives fresh, unguessable ids and a record with the principal, its times and no subscriptions")
        void required_session_1_1_createGivesAFreshSession() {
            Instant before = Instant.now();
            SessionRecord session = store.create("alice", LONG_TTL);

            assertThat(session.principal()).as("principal of a new session").isEqualTo("alice");
            assertThat(session.subscriptions()).as("subscriptions of a new session").isEmpty();
            assertThat(session.createdAt()).as("creation time of a new session")
                    .isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
            assertThat(Duration.between(session.createdAt(), session.expiresAt()))
                    .as("life of a new session created with a TTL of %s", LONG_TTL)
                    .isBetween(LONG_TTL.minusSeconds(1), LONG_TTL.plusSeconds(1));
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                ids.add(store.create("bob", LONG_TTL).id());
            }
            ids.add(session.id());
            assertThat(ids).as("ids of 201 new sessions").hasSize(201)
                    .allSatisfy(id -> assertThat(id).as("a session id must be unguessable: 16 characters at least").hasSizeGreaterThanOrEqualTo(16));
        }

        @Test
        @DisplayName("find returns the session as stored, and nothing for an unknown id")
        void required_session_1_2_findReturnsTheSession() {
            SessionRecord session = store.create("alice", LONG_TTL);

            assertThat(store.find(session.id())).as("find of a new session").contains(session);
            assertThat(store.find("no-such-session-" + namespace)).as("find of an unknown id").isEmpty();
        }

        @Test
        @DisplayName("touch extends a session's life to the TTL from now")
        void required_session_1_3_touchExtendsTheLife() {
            // The control is created second, so once it has expired the touched session's first TTL has run out too.
            Duration ttl = env.shortTtl().multipliedBy(2);
            SessionRecord touched = store.create("bob", ttl);
            SessionRecord control = store.create("alice", ttl);

            assertThat(store.touch(touched.id(), LONG_TTL)).as("touch of a live session").isTrue();
            SessionRecord after = store.find(touched.id()).orElseThrow();
            assertThat(after.expiresAt()).as("expiry after a touch with %s", LONG_TTL).isAfter(touched.expiresAt().plus(Duration.ofMinutes(5)));
            assertThat(after.createdAt()).as("creation time after a touch").isEqualTo(touched.createdAt());
            awaitExpired(control.id());
            assertThat(store.find(touched.id())).as("a touched session after its first TTL ran out").isPresent();
        }

        @Test
        @DisplayName("an unknown session is gone for every method")
        void required_session_1_4_unknownSessionIsGone() {
            String id = "no-such-session-" + namespace;
            assertUnknown(id, "an unknown session");
            assertThat(store.delete(id)).as("delete of an unknown session").isFalse();
        }

        @Test
        @DisplayName("an expired session is gone for every method, and touch does not revive it")
        void required_session_1_5_expiredSessionIsGone() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            SessionRecord live = store.create("bob", LONG_TTL);
            assertThat(store.touch(session.id(), env.shortTtl())).as("touch of a live session with a short TTL").isTrue();

            awaitExpired(session.id());
            assertUnknown(session.id(), "an expired session");
            assertThat(store.delete(session.id())).as("delete of an expired session").isFalse();
            assertThat(store.find(live.id())).as("a live session beside an expired one").contains(live);
        }
    }

    @Nested
    @DisplayName("7. sessions on a persistent store (optional)")
    class Restarts {

        @Test
        @DisplayName("a session outlives a restart of a persistent store, with its subscriptions, cursors and unacked positions")
        void optional_session_7_1_sessionSurvivesARestart() throws Exception {
            SessionRecord session = withSubscription(LONG_TTL, true);
            store.delivered(session.id(), KEY, p("e1", 1), 10);
            store.delivered(session.id(), KEY, p("e1", 2), 10);
            SessionRecord before = store.find(session.id()).orElseThrow();
            SessionStore restarted = restartStore();
            assumeTrue(restarted != null, "the store keeps sessions only in its process: restartStore() returned null");
            SessionStore old = store;
            store = restarted;
            Lifecycles.start(restarted);
            closeStore(old);

            assertThat(store.find(session.id())).as("session after a restart of the store").contains(before);
            assertThat(store.acknowledge(session.id(), KEY, p("e1", 2), true)).as("cumulative ack after a restart").isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("2. subscriptions")
    class Subscriptions {

        @Test
        @DisplayName("subscribe adds subscriptions, exact or patterns, and find shows them")
        void required_session_2_1_subscribeAdds() {
            SessionRecord session = store.create("alice", LONG_TTL);
            SessionSubscription exact = SessionSubscription.of("a", channel("room"), false);
            SessionSubscription pattern = SessionSubscription.of("b", channel("rooms/**"), true);
            store.subscribe(session.id(), exact);
            store.subscribe(session.id(), pattern);

            assertThat(store.find(session.id()).orElseThrow().subscriptions()).as("subscriptions after two subscribes")
                    .isEqualTo(Map.of("a", exact, "b", pattern));
        }

        @Test
        @DisplayName("subscribe with a key already used replaces that subscription")
        void required_session_2_2_subscribeReplaces() {
            SessionRecord session = store.create("alice", LONG_TTL);
            store.subscribe(session.id(), SessionSubscription.of(KEY, channel("room"), false));
            store.advance(session.id(), KEY, p("e1", 4));
            SessionSubscription replacement = SessionSubscription.of(KEY, channel("other"), true);
            store.subscribe(session.id(), replacement);

            assertThat(store.find(session.id()).orElseThrow().subscriptions()).as("subscriptions after subscribing twice with one key")
                    .isEqualTo(Map.of(KEY, replacement));
        }

        @Test
        @DisplayName("unsubscribe removes a subscription once and leaves the others")
        void required_session_2_3_unsubscribeRemovesOnce() {
            SessionRecord session = store.create("alice", LONG_TTL);
            SessionSubscription kept = SessionSubscription.of("kept", channel("kept"), false);
            store.subscribe(session.id(), SessionSubscription.of(KEY, channel("room"), false));
            store.subscribe(session.id(), kept);

            assertThat(store.unsubscribe(session.id(), KEY)).as("unsubscribe of an existing subscription").isTrue();
            assertThat(store.unsubscribe(session.id(), KEY)).as("unsubscribe of the same subscription again").isFalse();
            assertThat(store.unsubscribe(session.id(), "never")).as("unsubscribe of a key never used").isFalse();
            assertThat(store.find(session.id()).orElseThrow().subscriptions()).as("subscriptions left").isEqualTo(Map.of("kept", kept));
        }
    }

    @Nested
    @DisplayName("3. cursors")
    class Cursors {

        @Test
        @DisplayName("advance moves the cursor forward, never back, within an epoch")
        void required_session_3_1_cursorMovesForwardWithinAnEpoch() {
            SessionRecord session = withSubscription(LONG_TTL, false);
            String id = session.id();

            store.advance(id, KEY, p("e1", 5));
            assertThat(subscription(id, KEY).cursor()).as("cursor after advancing to e1:5").isEqualTo(p("e1", 5));
            store.advance(id, KEY, p("e1", 3));
            assertThat(subscription(id, KEY).cursor()).as("cursor after advancing back to e1:3").isEqualTo(p("e1", 5));
            store.advance(id, KEY, p("e1", 5));
            assertThat(subscription(id, KEY).cursor()).as("cursor after advancing to e1:5 again").isEqualTo(p("e1", 5));
            store.advance(id, KEY, p("e1", 9));
            assertThat(subscription(id, KEY).cursor()).as("cursor after advancing to e1:9").isEqualTo(p("e1", 9));
        }

        @Test
        @DisplayName("a cursor from a new epoch replaces the old one, even at a lower offset")
        void required_session_3_2_newEpochReplacesTheCursor() {
            SessionRecord session = withSubscription(LONG_TTL, false);
            store.advance(session.id(), KEY, p("e1", 9));
            store.advance(session.id(), KEY, p("e2", 2));

            assertThat(subscription(session.id(), KEY).cursor()).as("cursor after e1:9 then e2:2").isEqualTo(p("e2", 2));
        }

        @Test
        @DisplayName("advance and delivered refuse an unknown subscription and change nothing")
        void required_session_3_3_unknownSubscriptionIsRefused() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            SessionRecord before = store.find(session.id()).orElseThrow();

            assertThatThrownBy(() -> store.advance(session.id(), "never", p("e1", 1))).as("advance of an unknown subscription")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delivered(session.id(), "never", p("e1", 1), 10)).as("delivered on an unknown subscription")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.find(session.id())).as("session after refused calls").contains(before);
        }
    }

    @Nested
    @DisplayName("4. the unacked window")
    class Window {

        @Test
        @DisplayName("delivered records positions as unacked, oldest first, and advances the cursor")
        void required_session_4_1_deliveredRecordsUnacked() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            for (long offset = 1; offset <= 3; offset++) {
                assertThat(store.delivered(session.id(), KEY, p("e1", offset), 10)).as("delivered e1:%d in a window of 10", offset).isTrue();
            }
            SessionSubscription sub = subscription(session.id(), KEY);
            assertThat(sub.unacked()).as("unacked positions after 3 deliveries").containsExactly(p("e1", 1), p("e1", 2), p("e1", 3));
            assertThat(sub.cursor()).as("cursor after 3 deliveries").isEqualTo(p("e1", 3));
        }

        @Test
        @DisplayName("a full window refuses further deliveries, recording nothing, until acks make room")
        void required_session_4_2_windowIsBounded() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            String id = session.id();
            for (long offset = 1; offset <= 3; offset++) {
                store.delivered(id, KEY, p("e1", offset), 3);
            }

            assertThat(store.delivered(id, KEY, p("e1", 4), 3)).as("delivered with 3 of 3 positions unacked").isFalse();
            SessionSubscription full = subscription(id, KEY);
            assertThat(full.unacked()).as("unacked positions after a refused delivery").containsExactly(p("e1", 1), p("e1", 2), p("e1", 3));
            assertThat(full.cursor()).as("cursor after a refused delivery").isEqualTo(p("e1", 3));

            assertThat(store.acknowledge(id, KEY, p("e1", 1), false)).as("ack of e1:1").isEqualTo(1);
            assertThat(store.delivered(id, KEY, p("e1", 4), 3)).as("delivered after an ack made room").isTrue();
            assertThat(subscription(id, KEY).unacked()).as("unacked positions after the ack and a delivery")
                    .containsExactly(p("e1", 2), p("e1", 3), p("e1", 4));
        }

        @Test
        @DisplayName("a single ack removes exactly its position; acking twice or an unknown position removes nothing")
        void required_session_4_3_singleAndDuplicateAcks() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            String id = session.id();
            for (long offset = 1; offset <= 4; offset++) {
                store.delivered(id, KEY, p("e1", offset), 10);
            }

            assertThat(store.acknowledge(id, KEY, p("e1", 3), false)).as("single ack of e1:3").isEqualTo(1);
            assertThat(store.acknowledge(id, KEY, p("e1", 3), false)).as("second ack of e1:3").isZero();
            assertThat(store.acknowledge(id, KEY, p("e1", 99), false)).as("ack of a position never delivered").isZero();
            assertThat(subscription(id, KEY).unacked()).as("unacked after acking e1:3").containsExactly(p("e1", 1), p("e1", 2), p("e1", 4));
        }

        @Test
        @DisplayName("a cumulative ack removes every unacked position up to it")
        void required_session_4_4_cumulativeAck() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            String id = session.id();
            for (long offset = 1; offset <= 5; offset++) {
                store.delivered(id, KEY, p("e1", offset), 10);
            }
            store.acknowledge(id, KEY, p("e1", 2), false);

            assertThat(store.acknowledge(id, KEY, p("e1", 4), true)).as("cumulative ack of e1:4 with 1, 3, 4, 5 unacked").isEqualTo(3);
            assertThat(subscription(id, KEY).unacked()).as("unacked after the cumulative ack").containsExactly(p("e1", 5));
            assertThat(store.acknowledge(id, KEY, p("e1", 4), true)).as("the same cumulative ack again").isZero();
        }
    }

    @Nested
    @DisplayName("5. deleting")
    class Deleting {

        @Test
        @DisplayName("delete ends a session for good and leaves the others")
        void required_session_5_1_deleteEndsTheSession() {
            SessionRecord session = withSubscription(LONG_TTL, true);
            SessionRecord other = store.create("bob", LONG_TTL);

            assertThat(store.delete(session.id())).as("delete of a live session").isTrue();
            assertUnknown(session.id(), "a deleted session");
            assertThat(store.delete(session.id())).as("delete of a deleted session").isFalse();
            assertThat(store.find(other.id())).as("another session after a delete").contains(other);
        }
    }

    @Nested
    @DisplayName("6. purging expired sessions")
    class Purging {

        @Test
        @DisplayName("purgeExpired returns each expired session once, as it was stored, and no live one")
        void required_session_6_1_purgeReturnsEachExpiredSessionOnce() {
            SessionRecord a = withSubscription(LONG_TTL, true);
            store.advance(a.id(), KEY, p("e1", 7));
            store.touch(a.id(), env.shortTtl());
            SessionRecord b = store.create("bob", env.shortTtl());
            SessionRecord c = store.create("carol", env.shortTtl());
            SessionRecord live = store.create("dave", LONG_TTL);
            SessionRecord stored = store.find(a.id()).orElseThrow();

            awaitExpired(a.id(), b.id(), c.id());
            List<SessionRecord> purged = store.purgeExpired(Instant.now());
            Set<String> ours = Set.of(a.id(), b.id(), c.id(), live.id());
            Map<String, SessionRecord> byId = purged.stream().filter(s -> ours.contains(s.id()))
                    .collect(Collectors.toMap(SessionRecord::id, Function.identity()));

            assertThat(byId.keySet()).as("ids purged").containsExactlyInAnyOrder(a.id(), b.id(), c.id());
            assertThat(byId.get(a.id()).principal()).as("principal of a purged session").isEqualTo("alice");
            assertThat(byId.get(a.id()).subscriptions()).as("subscriptions of a purged session").isEqualTo(stored.subscriptions());
            assertThat(ids(store.purgeExpired(Instant.now()))).as("ids purged by a second call").doesNotContainAnyElementsOf(ours);
            assertThat(store.find(live.id())).as("a live session after purging").contains(live);
        }

        @Test
        @DisplayName("8 threads purging at once get each expired session exactly once between them")
        void required_session_6_2_concurrentPurgeHandsOutEachOnce() throws Exception {
            List<String> expiring = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                expiring.add(store.create("user" + i, env.shortTtl()).id());
            }
            SessionRecord live = store.create("live", LONG_TTL);
            awaitExpired(expiring.toArray(String[]::new));

            List<SessionRecord> purged = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<SessionRecord>>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<SessionRecord> mine = new ArrayList<>();
                        for (int call = 0; call < 3; call++) {
                            mine.addAll(store.purgeExpired(Instant.now()));
                        }
                        return mine;
                    }));
                }
                start.countDown();
                for (Future<List<SessionRecord>> future : futures) {
                    purged.addAll(future.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            purged.addAll(store.purgeExpired(Instant.now()));

            Set<String> ours = new HashSet<>(expiring);
            List<String> handedOut = purged.stream().map(SessionRecord::id).filter(ours::contains).toList();
            assertThat(handedOut).as("expired sessions handed out by 8 threads purging at once").doesNotHaveDuplicates();
            assertThat(handedOut).as("expired sessions handed out by 8 threads purging at once").containsExactlyInAnyOrderElementsOf(expiring);
            assertThat(ids(purged)).as("sessions purged").doesNotContain(live.id());
        }

        @Test
        @DisplayName("deleting an expired session does not hide it from purgeExpired")
        void required_session_6_3_deleteOfAnExpiredSessionLeavesItToPurge() {
            SessionRecord session = store.create("alice", env.shortTtl());
            awaitExpired(session.id());

            assertThat(store.delete(session.id())).as("delete of an expired session").isFalse();
            assertThat(ids(store.purgeExpired(Instant.now()))).as("sessions purged after a delete of an expired one")
                    .contains(session.id());
        }
    }
}
