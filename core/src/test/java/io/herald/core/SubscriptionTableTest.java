package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A connection's subscriptions: small in an array, in maps beyond, and always readable without a lock. */
class SubscriptionTableTest {

    private static ConnectionSubscription subscription(String key, String channel, boolean plain) {
        return new ConnectionSubscription(null, key, ChannelName.of(channel), plain ? AckMode.AUTO : AckMode.CUMULATIVE, 10,
                plain, null, null, Set.of(), null);
    }

    @Test
    void findsByKeyAndPlainOnesByChannelBelowAndAboveTheSmallSize() {
        SubscriptionTable table = new SubscriptionTable();
        List<ConnectionSubscription> added = new ArrayList<>();
        for (int i = 0; i < SubscriptionTable.SMALL * 3; i++) {
            ConnectionSubscription s = subscription("k" + i, "/c/" + i, i % 2 == 0);
            assertThat(table.add(s)).as("add %d", i).isTrue();
            added.add(s);
            for (ConnectionSubscription earlier : added) {
                assertThat(table.get(earlier.key())).as("%s after %d adds", earlier.key(), i + 1).isSameAs(earlier);
                assertThat(table.plain(earlier.channel())).isSameAs(earlier.plain ? earlier : null);
            }
            assertThat(table.all()).containsExactlyInAnyOrderElementsOf(added);
        }
        for (ConnectionSubscription s : List.copyOf(added)) {
            table.remove(s);
            added.remove(s);
            assertThat(table.get(s.key())).isNull();
            assertThat(table.plain(s.channel())).isNull();
            assertThat(table.all()).containsExactlyInAnyOrderElementsOf(added);
        }
    }

    @Test
    void refusesATakenKeyAndASecondPlainSubscriptionToAChannel() {
        SubscriptionTable table = new SubscriptionTable();
        ConnectionSubscription first = subscription("a", "/x", true);
        assertThat(table.add(first)).isTrue();
        assertThat(table.add(subscription("a", "/y", false))).isFalse();
        assertThat(table.add(subscription("b", "/x", true))).isFalse();
        assertThat(table.add(subscription("b", "/x", false))).as("an acknowledged one to the same channel").isTrue();
        assertThat(table.plain(ChannelName.of("/x"))).isSameAs(first);
    }

    @Test
    void removingOneThatIsNotHeldUnderItsKeyLeavesTheHeldOne() {
        SubscriptionTable table = new SubscriptionTable();
        ConnectionSubscription held = subscription("a", "/x", true);
        table.add(held);
        table.remove(subscription("a", "/x", true));
        assertThat(table.get("a")).isSameAs(held);
        assertThat(table.plain(ChannelName.of("/x"))).isSameAs(held);
    }

    @Test
    void clearingStartsSmallAgain() {
        SubscriptionTable table = new SubscriptionTable();
        for (int i = 0; i < SubscriptionTable.SMALL + 2; i++) {
            table.add(subscription("k" + i, "/c/" + i, true));
        }
        table.clear();
        assertThat(table.all()).isEmpty();
        assertThat(table.get("k0")).isNull();
        ConnectionSubscription again = subscription("k0", "/c/0", true);
        assertThat(table.add(again)).isTrue();
        assertThat(table.get("k0")).isSameAs(again);
    }

    /**
     * Readers never miss a subscription that stays in the table while writers add and remove others across the
     * move from the array to the maps (seeded random timing).
     */
    @Test
    void aSubscriptionThatStaysIsAlwaysFoundWhileOthersComeAndGo() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            SubscriptionTable table = new SubscriptionTable();
            ConnectionSubscription stays = subscription("stays", "/stays", true);
            table.add(stays);
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> readers = new ArrayList<>();
            try {
                for (int r = 0; r < 4; r++) {
                    readers.add(pool.submit(() -> {
                        start.await();
                        int misses = 0;
                        while (running.get()) {
                            misses += table.get("stays") == stays ? 0 : 1;
                            misses += table.plain(stays.channel()) == stays ? 0 : 1;
                            misses += table.all().contains(stays) ? 0 : 1;
                        }
                        return misses;
                    }));
                }
                long s = seed;
                Future<?> writer = pool.submit(() -> {
                    Random random = new Random(s);
                    start.await();
                    List<ConnectionSubscription> mine = new ArrayList<>();
                    for (int i = 0; i < 3000; i++) {
                        if (mine.isEmpty() || random.nextInt(3) > 0 && mine.size() < 3 * SubscriptionTable.SMALL) {
                            ConnectionSubscription c = subscription("w" + i, "/w/" + i, random.nextBoolean());
                            table.add(c);
                            mine.add(c);
                        } else {
                            table.remove(mine.remove(random.nextInt(mine.size())));
                        }
                        if (random.nextInt(50) == 0) {
                            Thread.yield();
                        }
                    }
                    return null;
                });
                start.countDown();
                writer.get(30, TimeUnit.SECONDS);
                running.set(false);
                for (Future<Integer> reader : readers) {
                    assertThat(reader.get(30, TimeUnit.SECONDS)).as("misses with seed %d", seed).isZero();
                }
            } finally {
                running.set(false);
                pool.shutdownNow();
            }
        }
    }
}
