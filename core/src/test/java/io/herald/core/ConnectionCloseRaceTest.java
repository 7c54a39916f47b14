package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.InvalidRequestException;
import io.herald.api.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a connection closed while one of its subscribes was half done (another connection took its session over
 * at that instant) left that subscription registered in the engine and its backlog held open until the next
 * takeover. Many rounds of subscribes racing a close, with random timing: afterwards nothing of the closed
 * connection stays registered, and every backlog opened for it was closed again.
 */
class ConnectionCloseRaceTest {

    private static final Principal ALICE = new Principal("alice", null, Map.of());

    private final KeepingBacklog backlog = new KeepingBacklog();
    private Herald herald;

    @BeforeEach
    void start() {
        herald = Herald.builder()
                .module(backlog.module())
                .build().start();
        backlog.openJitterNanos = TimeUnit.MICROSECONDS.toNanos(300);
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    @Test
    void aCloseDuringSubscribesLeavesNothingRegisteredOrHeld() throws Exception {
        SessionService sessions = herald.sessions();
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        int rounds = 300;
        int keys = 4;
        for (int round = 0; round < rounds; round++) {
            ClientSession session = sessions.openDurable(ALICE);
            ConnectionTest.TestWire wire = new ConnectionTest.TestWire();
            Connection connection = sessions.connect(session, wire, true);
            wire.connection = connection;
            CountDownLatch go = new CountDownLatch(1);
            int r = round;
            List<Thread> subscribers = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                int key = k;
                long delay = random.nextInt(600);
                subscribers.add(started(() -> {
                    await(go);
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(delay));
                    try {
                        connection.subscribeKept("k" + key, ChannelName.of("/race/r" + r + "/k" + key), Resume.live(),
                                AckMode.INDIVIDUAL, 10, "b-" + r + "-" + key);
                    } catch (InvalidRequestException closed) {
                        // the close came first: nothing was subscribed
                    }
                }));
            }
            long closeDelay = random.nextInt(900);
            Thread closer = started(() -> {
                await(go);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(closeDelay));
                connection.close();
            });
            go.countDown();
            for (Thread t : subscribers) {
                t.join(10_000);
            }
            closer.join(10_000);
            assertThat(herald.engine().stats().subscriptions())
                    .as("round %d (seed %d): registrations left by a closed connection", round, seed).isZero();
        }
        Map<String, Long> balance = backlog.calls.stream()
                .filter(c -> c.startsWith("open ") || c.startsWith("close "))
                .collect(Collectors.groupingBy(c -> c.substring(c.indexOf(' ') + 1),
                        Collectors.summingLong(c -> c.startsWith("open ") ? 1 : -1)));
        assertThat(balance.entrySet().stream().filter(e -> e.getValue() != 0).map(Map.Entry::getKey).toList())
                .as("backlogs opened and not closed again (seed %d)", seed).isEmpty();
        assertThat(balance).as("some subscribes got in before the close (seed %d)", seed).isNotEmpty();
    }

    private static Thread started(Runnable task) {
        Thread t = new Thread(task);
        t.start();
        return t;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
