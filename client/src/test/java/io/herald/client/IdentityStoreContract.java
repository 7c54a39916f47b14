package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdentityStore} promises, run against each implementation: memory and file here, Redis in the
 * client-redis module (through this module's test jar). A subclass says how to make a store in a place of its
 * own and how to open that place again as a restarted process would.
 */
public abstract class IdentityStoreContract {

    /** A store in a fresh place of its own (a new file, a new key), empty. */
    protected abstract IdentityStore open() throws Exception;

    /**
     * A second store on the place {@code store} keeps its identity in, as a restarted process would open it (the
     * same object for the memory store, whose identity lives as long as the object).
     */
    protected abstract IdentityStore reopen(IdentityStore store) throws Exception;

    private static Identity identity(String clientId, int channels, long offset) {
        Map<String, Position> positions = new HashMap<>();
        for (int i = 0; i < channels; i++) {
            positions.put("/chat/room" + i, new Position("E" + (i % 3), offset + i));
        }
        return new Identity(clientId, positions);
    }

    @Test
    void aNewStoreHoldsNoIdentity() throws Exception {
        assertThat(open().load()).isEqualTo(Identity.EMPTY);
    }

    @Test
    void whatIsSavedIsWhatARestartedProcessLoads() throws Exception {
        IdentityStore store = open();
        Identity saved = new Identity("3f1c9a", Map.of("/a/b", new Position("E1", 7), "/c", new Position("E2", 0),
                "/news/sport", new Position("Xk3", 123_456_789_012L)));
        store.save(saved);
        assertThat(store.load()).isEqualTo(saved);
        assertThat(reopen(store).load()).isEqualTo(saved);
    }

    @Test
    void anIdentityWithoutAClientIdKeepsItsPositions() throws Exception {
        IdentityStore store = open();
        Identity saved = new Identity(null, Map.of("/a", new Position("E1", 3)));
        store.save(saved);
        assertThat(reopen(store).load()).isEqualTo(saved);
    }

    @Test
    void aSaveReplacesTheWholeIdentityNotMergingPositions() throws Exception {
        IdentityStore store = open();
        store.save(identity("first", 5, 10));
        Identity second = new Identity("second", Map.of("/chat/room4", new Position("E1", 99)));
        store.save(second);
        assertThat(reopen(store).load()).isEqualTo(second);
    }

    @Test
    void clearForgetsTheIdentityAndTheStoreTakesANewOne() throws Exception {
        IdentityStore store = open();
        store.clear(); // nothing saved yet: not an error
        store.save(identity("gone", 2, 1));
        store.clear();
        assertThat(store.load()).isEqualTo(Identity.EMPTY);
        assertThat(reopen(store).load()).isEqualTo(Identity.EMPTY);
        Identity next = identity("next", 1, 4);
        store.save(next);
        assertThat(reopen(store).load()).isEqualTo(next);
    }

    @Test
    void twoStoresInTheirOwnPlacesDoNotShareAnIdentity() throws Exception {
        IdentityStore one = open();
        IdentityStore other = open();
        one.save(identity("one", 1, 1));
        assertThat(other.load()).isEqualTo(Identity.EMPTY);
        other.clear();
        assertThat(reopen(one).load()).isEqualTo(identity("one", 1, 1));
    }

    /**
     * Saves racing each other and a reader: every load sees one identity as a whole (the old one or a new one,
     * never a mix of two), and after the race the store holds the last identity of one of the writers (each writer
     * saves in turn, so whichever save lands last is its writer's last). Random sizes and pauses; the seed is printed.
     */
    @Test
    void concurrentSavesLeaveOneWholeIdentity() throws Exception {
        long seed = System.nanoTime();
        System.out.println("IdentityStoreContract seed " + seed + " (" + getClass().getSimpleName() + ")");
        Random random = new Random(seed);
        IdentityStore store = open();
        int writers = 4;
        int saves = 50;
        List<Identity> all = new ArrayList<>();
        List<List<Identity>> perWriter = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            List<Identity> mine = new ArrayList<>();
            for (int s = 0; s < saves; s++) {
                // Every identity of a writer is told apart by its client id; its positions all carry the save's number.
                mine.add(identity("w" + w + "s" + s, 1 + random.nextInt(40), s * 1_000L + w));
            }
            perWriter.add(mine);
            all.addAll(mine);
        }
        long[] pauses = random.longs(writers * saves, 0, 200_000).toArray();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int s = 0; s < saves; s++) {
                        java.util.concurrent.locks.LockSupport.parkNanos(pauses[writer * saves + s]);
                        store.save(perWriter.get(writer).get(s));
                    }
                    return null;
                }));
            }
            List<Identity> seen = new ArrayList<>();
            Future<?> reader = pool.submit(() -> {
                start.await();
                for (int i = 0; i < 200; i++) {
                    seen.add(store.load());
                }
                return null;
            });
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            reader.get(60, TimeUnit.SECONDS);
            for (Identity loaded : seen) {
                assertThat(loaded).as("a load during the saves (seed %d)", seed).isIn(withEmpty(all));
            }
            List<Identity> lastOfEach = perWriter.stream().map(mine -> mine.get(saves - 1)).toList();
            assertThat(reopen(store).load()).as("after the saves (seed %d)", seed).isIn(lastOfEach);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Identity> withEmpty(List<Identity> all) {
        List<Identity> allowed = new ArrayList<>(all);
        allowed.add(Identity.EMPTY);
        return allowed;
    }
}
