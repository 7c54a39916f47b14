package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionClaim;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.testkit.TestEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The named-session rules of {@link SessionStore} ({@link SessionStore#claim}, {@link SessionStore#findNamed}),
 * run by {@link SessionStoreContract} as its group 8 on the store under test and, for the races, on a second
 * store over the same data ({@link SessionStoreContract#otherNodeStore}). Names carry the test's namespace,
 * so tests sharing one backend never meet. Not thread-safe.
 */
abstract class SessionNameRules {

    private final SessionStoreContract contract;
    private final List<SessionStore> others = new ArrayList<>();

    SessionNameRules(SessionStoreContract contract) {
        this.contract = contract;
    }

    private SessionStore store() {
        return contract.store();
    }

    private TestEnvironment env() {
        return contract.env();
    }

    private String name(String local) {
        return contract.namespace() + ":" + local;
    }

    private SessionStore otherNode() throws Exception {
        SessionStore other = contract.otherNodeStore();
        if (other != store()) {
            Lifecycles.start(other);
            others.add(other);
        }
        return other;
    }

    @AfterEach
    final void closeOthers() throws Exception {
        for (SessionStore other : others) {
            contract.closeStore(other);
        }
    }

    @Test
    @DisplayName("the first claim of a name creates a session; later claims and findNamed return that same session")
    void required_session_8_1_claimCreatesOnceThenFinds() {
        Instant before = Instant.now();
        SessionClaim first = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(first.created()).as("first claim of a name").isTrue();
        assertThat(first.session().principal()).as("principal of the claimed session").isEqualTo("alice");
        assertThat(first.session().subscriptions()).as("subscriptions of a new named session").isEmpty();
        assertThat(store().find(first.session().id())).as("the named session found by its id").contains(first.session());

        SessionClaim second = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(second.created()).as("second claim of the name").isFalse();
        assertThat(second.session().id()).as("id of the session a second claim finds").isEqualTo(first.session().id());
        // Stores keep times at their own precision (H2: milliseconds, below the clock's), so allow as the other
        // time rules do: a claim within the same millisecond as `before` read earlier than it.
        assertThat(second.session().expiresAt()).as("expiry after a second claim")
                .isAfterOrEqualTo(before.plus(SessionStoreContract.LONG_TTL).minusSeconds(1));
        assertThat(store().findNamed(name("a"))).map(SessionRecord::id).as("findNamed").contains(first.session().id());

        SessionClaim other = store().claim(name("A"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(other.created()).as("claim of a name differing only in case").isTrue();
        assertThat(other.session().id()).as("session of another name").isNotEqualTo(first.session().id());
        assertThat(store().findNamed(name("b"))).as("findNamed of a name never claimed").isEmpty();
    }

    @Test
    @DisplayName("a claim extends the life of the session it finds, which keeps its principal, subscriptions and cursors")
    void required_session_8_2_claimResumesTheSession() {
        SessionClaim first = store().claim(name("a"), "alice", env().shortTtl());
        String id = first.session().id();
        ChannelName channel = ChannelName.of("/" + contract.namespace() + "/room");
        store().subscribe(id, SessionSubscription.of("s", channel, true));
        store().delivered(id, "s", new Position("e1", 3), 10);

        SessionClaim again = store().claim(name("a"), "bob", SessionStoreContract.LONG_TTL);
        assertThat(again.created()).as("claim of a live name").isFalse();
        assertThat(again.session().principal()).as("principal of a found session: the creator's").isEqualTo("alice");
        assertThat(again.session().expiresAt()).as("expiry extended by the claim")
                .isAfter(first.session().expiresAt());
        assertThat(again.session().subscriptions().get("s")).as("subscription of the found session")
                .isEqualTo(new SessionSubscription("s", channel, true, new Position("e1", 3), List.of(new Position("e1", 3))));
        // A control claimed after it with the same short TTL and never claimed again: once the control is
        // gone, the first TTL of the claimed session has passed too.
        SessionRecord control = store().claim(name("control"), "alice", env().shortTtl()).session();
        env().await("a named session with a short TTL expires").until(() -> store().find(control.id()).isEmpty());
        assertThat(store().find(id)).as("session after its first TTL passed, extended by the claim").isPresent();
    }

    @Test
    @DisplayName("deleting a named session frees the name: findNamed is empty and the next claim makes a new session")
    void required_session_8_3_deleteFreesTheName() {
        SessionRecord first = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL).session();
        assertThat(store().delete(first.id())).as("delete of the named session").isTrue();
        assertThat(store().findNamed(name("a"))).as("findNamed after delete").isEmpty();

        SessionClaim next = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(next.created()).as("claim after delete").isTrue();
        assertThat(next.session().id()).as("id after delete").isNotEqualTo(first.id());
        assertThat(store().find(first.id())).as("the deleted session").isEmpty();
    }

    @Test
    @DisplayName("an expired named session frees the name, and purging it later leaves the name with the new session")
    void required_session_8_4_expiryFreesTheName() {
        SessionRecord old = store().claim(name("a"), "alice", env().shortTtl()).session();
        env().await("a named session with a short TTL expires").until(() -> store().find(old.id()).isEmpty());
        assertThat(store().findNamed(name("a"))).as("findNamed of an expired session").isEmpty();

        SessionClaim next = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(next.created()).as("claim after expiry").isTrue();
        assertThat(next.session().id()).as("id after expiry").isNotEqualTo(old.id());
        List<String> purged = store().purgeExpired(Instant.now()).stream().map(SessionRecord::id).toList();
        assertThat(purged).as("purged sessions").contains(old.id()).doesNotContain(next.session().id());
        assertThat(store().findNamed(name("a"))).map(SessionRecord::id).as("findNamed after the old session was purged")
                .contains(next.session().id());
        assertThat(store().delete(old.id())).as("delete of the purged old session").isFalse();
        assertThat(store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL).session().id())
                .as("claim after the old session was purged").isEqualTo(next.session().id());
    }

    @Test
    @DisplayName("a claim on another node over the same store finds the session made on this one")
    void required_session_8_5_anotherNodeFindsTheName() throws Exception {
        SessionRecord made = store().claim(name("a"), "alice", SessionStoreContract.LONG_TTL).session();
        SessionStore other = otherNode();
        assertThat(other.findNamed(name("a"))).map(SessionRecord::id).as("findNamed on another node").contains(made.id());
        SessionClaim there = other.claim(name("a"), "alice", SessionStoreContract.LONG_TTL);
        assertThat(there.created()).as("claim on another node").isFalse();
        assertThat(there.session().id()).as("id on another node").isEqualTo(made.id());
    }

    @Test
    @DisplayName("an empty name or one over 255 characters is refused and binds nothing; 255 characters are fine")
    void required_session_8_6_badNamesAreRefused() {
        String longest = name("x").concat("y".repeat(SessionStore.MAX_NAME_LENGTH - name("x").length()));
        for (String bad : List.of("", longest + "y")) {
            assertThatThrownBy(() -> store().claim(bad, "alice", SessionStoreContract.LONG_TTL))
                    .as("claim of a name of %d characters", bad.length()).isInstanceOf(IllegalArgumentException.class);
            assertThat(store().findNamed(bad)).as("findNamed of a name of %d characters", bad.length()).isEmpty();
        }
        SessionClaim claim = store().claim(longest, "alice", SessionStoreContract.LONG_TTL);
        assertThat(claim.created()).as("claim of a 255-character name").isTrue();
        assertThat(store().findNamed(longest)).map(SessionRecord::id).as("findNamed of a 255-character name")
                .contains(claim.session().id());
    }

    @Test
    @DisplayName("8 threads on two nodes claiming the same names at once agree on one session per name, created once")
    void required_session_8_7_racingClaimsAgree() throws Exception {
        long seed = new Random().nextLong();
        SessionStore[] nodes = {store(), otherNode()};
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            names.add(name("race-" + i));
        }
        Map<String, List<SessionClaim>> claims = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            // Every thread claims the names in the same (seeded) order, so they meet on each name at about the same
            // moment: in a different order each, two threads rarely claim one name at once on a quiet machine.
            List<String> order = new ArrayList<>(names);
            Collections.shuffle(order, new Random(seed));
            for (int t = 0; t < 8; t++) {
                SessionStore node = nodes[t % 2];
                Random random = new Random(seed + t);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (String name : order) {
                        if (random.nextInt(4) == 0) {
                            Thread.yield();
                        }
                        SessionClaim claim = node.claim(name, "alice", SessionStoreContract.LONG_TTL);
                        claims.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>())).add(claim);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(env().timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String name : names) {
            List<SessionClaim> mine = claims.get(name);
            assertThat(mine).as("claims of %s (seed %d)", name, seed).hasSize(8);
            assertThat(mine.stream().map(c -> c.session().id()).collect(Collectors.toSet()))
                    .as("sessions handed out for %s by racing claims (seed %d)", name, seed).hasSize(1);
            assertThat(mine.stream().filter(SessionClaim::created).count())
                    .as("claims of %s that created the session (seed %d)", name, seed).isEqualTo(1);
            assertThat(store().findNamed(name)).map(SessionRecord::id).as("findNamed of %s after the race (seed %d)", name, seed)
                    .contains(mine.get(0).session().id());
        }
    }
}
