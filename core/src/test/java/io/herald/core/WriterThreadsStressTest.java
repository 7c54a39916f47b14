package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The writer threads with held wake-ups (a feed's fan-out hands its tasks over in chunks): whatever mix of
 * held (nested) and direct hand-overs many threads make at random moments, every task runs exactly once, on
 * the writer thread of its key, and each writer thread runs one producer's tasks in the order they were handed
 * over; a full chunk runs while its producer still holds.
 */
class WriterThreadsStressTest {

    private static final int PRODUCERS = 6;
    private static final int TASKS_PER_PRODUCER = 40_000;
    private static final int WRITERS = 3;

    @Test
    void everyTaskRunsOnceOnItsKeysThreadInHandOverOrder() throws Exception {
        long seed = System.nanoTime();
        System.out.println("WriterThreadsStressTest seed " + seed);
        WriterThreads threads = new WriterThreads(WRITERS);
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(PRODUCERS * TASKS_PER_PRODUCER);
            // The last sequence number each writer thread ran per producer: confined to that writer thread.
            int[][] lastRun = new int[WRITERS][PRODUCERS];
            for (int[] row : lastRun) {
                java.util.Arrays.fill(row, -1);
            }
            AtomicReference<String> wrong = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                Random random = new Random(seed + p);
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    int seq = 0;
                    int depth = 0;
                    while (seq < TASKS_PER_PRODUCER) {
                        int choice = random.nextInt(100);
                        if (choice < 4 && depth < 3) {
                            threads.hold();
                            depth++;
                        } else if (choice < 8 && depth > 0) {
                            threads.release();
                            depth--;
                        } else {
                            int key = random.nextInt();
                            int writer = Math.floorMod(key, WRITERS);
                            int id = producer * TASKS_PER_PRODUCER + seq;
                            int mine = seq++;
                            threads.execute(key, () -> {
                                String name = Thread.currentThread().getName();
                                if (!name.equals("herald-writer-" + writer)) {
                                    wrong.compareAndSet(null, "task " + id + " of writer " + writer + " ran on " + name);
                                }
                                if (lastRun[writer][producer] >= mine) {
                                    wrong.compareAndSet(null, "producer " + producer + "'s task " + mine + " ran after its task "
                                            + lastRun[writer][producer] + " on writer " + writer);
                                }
                                lastRun[writer][producer] = mine;
                                runs.incrementAndGet(id);
                            });
                            if (random.nextInt(1000) == 0) {
                                Thread.yield();
                            }
                        }
                    }
                    while (depth-- > 0) {
                        threads.release();
                    }
                }, "producer-" + p);
                producers.add(t);
                t.start();
            }
            start.countDown();
            for (Thread t : producers) {
                t.join();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> allRan(runs));
            assertThat(wrong.get()).isNull();
            for (int i = 0; i < runs.length(); i++) {
                assertThat(runs.get(i)).as("runs of task %d (seed %d)", i, seed).isEqualTo(1);
            }
        } finally {
            threads.stop();
        }
    }

    @Test
    void aFullChunkRunsWhileItsProducerStillHolds() {
        WriterThreads threads = new WriterThreads(1);
        try {
            AtomicIntegerArray ran = new AtomicIntegerArray(WriterThreads.CHUNK + 1);
            threads.hold();
            for (int i = 0; i <= WriterThreads.CHUNK; i++) {
                int id = i;
                threads.execute(7, () -> ran.incrementAndGet(id));
            }
            // The first CHUNK tasks were handed over when their chunk filled; the last one waits for the release.
            await().atMost(Duration.ofSeconds(30)).until(() -> ran.get(WriterThreads.CHUNK - 1) == 1);
            for (int i = 0; i < WriterThreads.CHUNK; i++) {
                assertThat(ran.get(i)).isEqualTo(1);
            }
            assertThat(ran.get(WriterThreads.CHUNK)).isZero();
            threads.release();
            await().atMost(Duration.ofSeconds(30)).until(() -> ran.get(WriterThreads.CHUNK) == 1);
        } finally {
            threads.stop();
        }
    }

    private static boolean allRan(AtomicIntegerArray runs) {
        for (int i = 0; i < runs.length(); i++) {
            if (runs.get(i) == 0) {
                return false;
            }
        }
        return true;
    }
}
