package io.herald.presence;

import static io.herald.presence.SharedMemoryCluster.connect;
import static io.herald.presence.SharedMemoryCluster.presence;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.core.Connection;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Eight threads opening and closing connections of six users on two nodes at random moments, while another
 * thread moves the clock, beats and sweeps on random nodes: every user's joins and leaves pair up exactly
 * (no join told twice, no leave told twice or lost), and once everyone is gone nobody is listed.
 */
@DisplayName("presence under concurrent churn on two nodes")
class PresenceStressTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/stress");
    private static final List<String> USERS = List.of("u0", "u1", "u2", "u3", "u4", "u5");
    private static final Settings SETTINGS = Settings.defaults()
            .with(PresenceSettings.GRACE, "2s")
            .with(PresenceSettings.TTL, "30s")
            .with(PresenceSettings.SWEEP, "1h");

    @RepeatedTest(3)
    void joinsAndLeavesPairUp() throws Exception {
        try (SharedMemoryCluster cluster = new SharedMemoryCluster(SETTINGS)) {
            List<Herald> nodes = List.of(cluster.node(), cluster.node());
            Instant start = cluster.clock.instant();
            ConcurrentLinkedQueue<Connection> open = new ConcurrentLinkedQueue<>();
            AtomicBoolean churning = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(9);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    workers.add(pool.submit(() -> {
                        go.await();
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int i = 0; i < 300; i++) {
                            if (random.nextInt(3) > 0 || open.isEmpty()) {
                                Principal user = new Principal(USERS.get(random.nextInt(USERS.size())), null, Map.of());
                                open.add(connect(nodes.get(random.nextInt(2)), user, ROOM));
                            } else {
                                Connection c = open.poll();
                                if (c != null) {
                                    c.close();
                                }
                            }
                            LockSupport.parkNanos(random.nextInt(50_000));
                        }
                        return null;
                    }));
                }
                Future<?> clock = pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (churning.get()) {
                        cluster.clock.advance(Duration.ofMillis(random.nextInt(1500)));
                        Herald node = nodes.get(random.nextInt(2));
                        presence(node).beat();
                        presence(nodes.get(random.nextInt(2))).sweep();
                        LockSupport.parkNanos(random.nextInt(200_000));
                    }
                    return null;
                });
                go.countDown();
                for (Future<?> worker : workers) {
                    worker.get(60, TimeUnit.SECONDS);
                }
                churning.set(false);
                clock.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }

            open.forEach(Connection::close);
            cluster.advanceTo(cluster.clock.instant().plusSeconds(5));
            presence(nodes.get(0)).sweep();
            presence(nodes.get(1)).sweep();

            Duration elapsed = Duration.between(start, cluster.clock.instant());
            for (String user : USERS) {
                long joins = cluster.events.stream().filter(e -> e.user().equals(user) && e.kind() == PresenceEvent.Kind.JOIN).count();
                long leaves = cluster.events.stream().filter(e -> e.user().equals(user) && e.kind() == PresenceEvent.Kind.LEAVE).count();
                assertThat(joins).as("joins of %s", user).isPositive();
                assertThat(leaves).as("leaves of %s, with %d joins", user, joins).isEqualTo(joins);
                assertThat(presence(nodes.get(0)).onlineTime(ROOM, user)).as("online time of %s within %s", user, elapsed)
                        .isLessThanOrEqualTo(elapsed);
            }
            assertThat(presence(nodes.get(0)).users(ROOM)).as("users once every connection closed").isEmpty();
            assertThat(cluster.presence.members(ROOM)).as("members once every connection closed").isEmpty();
        }
    }
}
