package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.herald.api.Principal;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A durable session stays alive while it has a live connection, however long that lasts (the timer renews
 * it), and expires one TTL after its last connection ended. Time is a clock the test moves; the timer itself
 * runs in real time, so each step waits for the renewal it must cause.
 */
class SessionRenewalTest {

    private static final Duration TTL = Duration.ofMillis(1200);
    private static final Principal ALICE = new Principal("alice", null, Map.of());

    private final SteppedClock clock = new SteppedClock();
    private final List<String> expired = new CopyOnWriteArrayList<>();
    private Herald herald;
    private SessionService sessions;

    @BeforeEach
    void start() {
        herald = Herald.builder()
                .settings(Settings.defaults().with(CoreSettings.SESSION_TTL, TTL.toMillis() + "ms"))
                .module(b -> {
                    OptionalBinder.newOptionalBinder(b, Clock.class).setBinding().toInstance(clock);
                    Multibinder.newSetBinder(b, SessionListener.class).addBinding().toInstance(new SessionListener() {
                        @Override
                        public void expired(SessionRecord session) {
                            expired.add(session.id());
                        }
                    });
                })
                .build().start();
        sessions = herald.sessions();
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    private Connection connect(ClientSession session) {
        return sessions.connect(session, new ConnectionTest.TestWire(), true);
    }

    /** Moves the clock two thirds of the TTL on and waits until the timer renewed {@code id} from there. */
    private void liveThroughTwoThirdsOfTheTtl(String id) {
        Instant now = clock.advance(TTL.multipliedBy(2).dividedBy(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.store().find(id)
                .map(r -> !r.expiresAt().isBefore(now.plus(TTL))).orElse(false));
    }

    @Test
    void aConnectedSessionOutlivesItsTtlAndExpiresOneTtlAfterItsConnectionEnds() {
        ClientSession session = sessions.openDurable(ALICE);
        Connection connection = connect(session);
        for (int i = 0; i < 4; i++) {
            liveThroughTwoThirdsOfTheTtl(session.id()); // 8/3 of the TTL in all
        }
        assertThat(expired).isEmpty();

        connection.close();
        Instant closed = clock.instant();
        assertThat(sessions.store().find(session.id()).orElseThrow().expiresAt()).isEqualTo(closed.plus(TTL));
        clock.advance(TTL.multipliedBy(2).dividedBy(3));
        assertThat(sessions.renewConnected()).isZero();
        assertThat(sessions.store().find(session.id())).isPresent();
        clock.advance(TTL.dividedBy(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> expired.contains(session.id()));
        assertThat(sessions.resume(session.id(), ALICE)).isEmpty();
    }

    @Test
    void aSessionIsRenewedUntilItsLastConnectionEnds() {
        ClientSession session = sessions.openDurable(ALICE);
        Connection first = connect(session);
        Connection second = connect(sessions.resume(session.id(), ALICE).orElseThrow());
        liveThroughTwoThirdsOfTheTtl(session.id());
        first.close();
        first.close(); // closing twice counts once
        liveThroughTwoThirdsOfTheTtl(session.id());
        liveThroughTwoThirdsOfTheTtl(session.id());
        second.close();
        clock.advance(TTL.plusMillis(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> expired.contains(session.id()));
    }

    @Test
    void aSessionWithoutAConnectionIsNotRenewed() {
        ClientSession idle = sessions.openDurable(ALICE);
        ClientSession ephemeral = sessions.ephemeral(ALICE);
        Connection plain = connect(ephemeral);
        clock.advance(TTL.dividedBy(2));
        assertThat(sessions.renewConnected()).isZero();
        clock.advance(TTL.dividedBy(2).plusMillis(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> expired.contains(idle.id()));
        assertThat(expired).containsExactly(idle.id());
        plain.close();
    }

    @Test
    void connectionsOpenedAndClosedConcurrentlyAreCountedExactly() throws Exception {
        List<ClientSession> all = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(sessions.openDurable(ALICE));
        }
        // Each thread opens and closes connections of random sessions at random; each keeps the last one it
        // opened for a chosen subset open at the end.
        int threads = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.Set<String> keptOpen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = 1000L + t;
            done.add(pool.submit(() -> {
                java.util.Random random = new java.util.Random(seed);
                List<Connection> open = new java.util.ArrayList<>();
                for (int step = 0; step < 400; step++) {
                    if (open.isEmpty() || random.nextBoolean()) {
                        open.add(connect(all.get(random.nextInt(all.size()))));
                    } else {
                        Connection c = open.remove(random.nextInt(open.size()));
                        c.close();
                        if (random.nextInt(4) == 0) {
                            c.close(); // a second close counts nothing
                        }
                    }
                }
                for (Connection c : open) {
                    if (c.session().id().equals(all.get(0).id()) || c.session().id().equals(all.get(1).id())) {
                        keptOpen.add(c.session().id());
                    } else {
                        c.close();
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(keptOpen).isNotEmpty(); // the seeds leave some open: both outcomes are checked
        // Only sessions with a connection still open are renewed; every other one expires.
        Instant now = clock.advance(TTL.multipliedBy(2).dividedBy(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> keptOpen.stream().allMatch(id -> sessions.store().find(id)
                .map(r -> !r.expiresAt().isBefore(now.plus(TTL))).orElse(false)));
        clock.advance(TTL.dividedBy(2));
        java.util.Set<String> shouldExpire = new java.util.HashSet<>();
        all.forEach(s -> shouldExpire.add(s.id()));
        shouldExpire.removeAll(keptOpen);
        await().atMost(Duration.ofSeconds(10)).until(() -> expired.containsAll(shouldExpire));
        assertThat(expired).doesNotContainAnyElementsOf(keptOpen);
        keptOpen.forEach(id -> assertThat(sessions.store().find(id)).isPresent());
    }

    /** Real time for the timer, this time for sessions: moves only when the test says so. Thread-safe. */
    private static final class SteppedClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        Instant advance(Duration by) {
            return now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
