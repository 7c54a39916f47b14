package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class WriteLoopTest {

    /** A loop whose process() takes queued items and "writes" them as its test says. */
    private static class Recording extends WriteLoop {
        final ConcurrentLinkedQueue<Integer> queued = new ConcurrentLinkedQueue<>();
        final List<Integer> written = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inProcess = new AtomicInteger();
        volatile boolean overlapped;
        volatile Runnable onWrite = this::succeeded;
        volatile boolean finishWhenEmpty;
        final AtomicInteger successes = new AtomicInteger();
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        protected Action process() {
            if (inProcess.incrementAndGet() != 1) {
                overlapped = true;
            }
            try {
                Integer item = queued.poll();
                if (item == null) {
                    return finishWhenEmpty ? Action.SUCCEEDED : Action.IDLE;
                }
                written.add(item);
                onWrite.run();
                return Action.SCHEDULED;
            } finally {
                inProcess.decrementAndGet();
            }
        }

        @Override
        protected void onCompleteSuccess() {
            successes.incrementAndGet();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            failures.add(cause);
        }
    }

    @Test
    void writesEverythingQueuedWhenWritesCompleteInsideProcess() {
        Recording loop = new Recording();
        loop.queued.addAll(List.of(1, 2, 3));
        loop.iterate();
        assertThat(loop.written).containsExactly(1, 2, 3);
        loop.queued.add(4);
        loop.iterate();
        assertThat(loop.written).containsExactly(1, 2, 3, 4);
        assertThat(loop.isDone()).isFalse();
    }

    @Test
    void aPendingWriteHoldsProcessingUntilItsCallback() {
        Recording loop = new Recording();
        loop.onWrite = () -> { };
        loop.queued.addAll(List.of(1, 2));
        loop.iterate();
        loop.iterate();
        assertThat(loop.written).as("written before the first write called back").containsExactly(1);
        loop.succeeded();
        assertThat(loop.written).containsExactly(1, 2);
    }

    @Test
    void completesOnceWhenProcessSaysSucceeded() {
        Recording loop = new Recording();
        loop.finishWhenEmpty = true;
        loop.queued.add(1);
        loop.iterate();
        loop.iterate();
        loop.abort(new RuntimeException("after the end"));
        assertThat(loop.successes).hasValue(1);
        assertThat(loop.failures).isEmpty();
        assertThat(loop.isDone()).isTrue();
    }

    @Test
    void anAbortDuringAPendingWriteFailsOnlyWhenTheWriteCallsBack() {
        Recording loop = new Recording();
        loop.onWrite = () -> { };
        loop.queued.addAll(List.of(1, 2));
        loop.iterate();
        RuntimeException cause = new RuntimeException("client gone");
        loop.abort(cause);
        assertThat(loop.failures).as("failures while the write is in flight").isEmpty();
        loop.succeeded();
        assertThat(loop.failures).containsExactly(cause);
        assertThat(loop.written).as("nothing written after the abort").containsExactly(1);
    }

    @Test
    void aWriteFailingInsideProcessFailsTheLoopOnceProcessReturns() {
        Recording loop = new Recording();
        RuntimeException cause = new RuntimeException("broken pipe");
        loop.onWrite = () -> {
            loop.failed(cause);
            assertThat(loop.failures).as("failures while process() still runs").isEmpty();
        };
        loop.queued.addAll(List.of(1, 2));
        loop.iterate();
        assertThat(loop.failures).containsExactly(cause);
        assertThat(loop.written).containsExactly(1);
    }

    @Test
    void anIdleLoopFailsAtOnceWhenAborted() {
        Recording loop = new Recording();
        RuntimeException cause = new RuntimeException("request failed");
        loop.abort(cause);
        loop.abort(new RuntimeException("again"));
        loop.queued.add(1);
        loop.iterate();
        assertThat(loop.failures).containsExactly(cause);
        assertThat(loop.written).isEmpty();
    }

    @Test
    void anExceptionFromProcessFailsTheLoop() {
        RuntimeException cause = new RuntimeException("encoding failed");
        Recording loop = new Recording() {
            @Override
            protected Action process() {
                throw cause;
            }
        };
        loop.iterate();
        assertThat(loop.failures).containsExactly(cause);
        assertThat(loop.isDone()).isTrue();
    }

    /**
     * Producers queue items and call iterate() from several threads while writes complete on other threads, at
     * random moments, sometimes inside process(): every item is written once, in order, process() never runs on
     * two threads at once, and nothing is left behind.
     */
    @Test
    void concurrentIteratesAndCallbacksWriteEverythingOnceInOrder() throws Exception {
        long seed = System.nanoTime();
        System.out.println("WriteLoopTest seed " + seed);
        Random random = new Random(seed);
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                Recording loop = new Recording();
                long roundSeed = random.nextLong();
                Random writes = new Random(roundSeed);
                loop.onWrite = () -> {
                    int how = writes.nextInt(3);
                    if (how == 0) {
                        loop.succeeded();
                    } else {
                        int pause = writes.nextInt(50_000);
                        callbacks.execute(() -> {
                            LockSupport.parkNanos(pause);
                            loop.succeeded();
                        });
                    }
                };
                int producers = 3;
                int each = 200;
                CountDownLatch done = new CountDownLatch(producers);
                AtomicInteger next = new AtomicInteger();
                for (int p = 0; p < producers; p++) {
                    Random timing = new Random(roundSeed + p);
                    Thread producer = new Thread(() -> {
                        for (int i = 0; i < each; i++) {
                            // Items are numbered as they are queued, so the written order must be ascending.
                            synchronized (loop.queued) {
                                loop.queued.add(next.getAndIncrement());
                            }
                            if (timing.nextInt(10) == 0) {
                                LockSupport.parkNanos(timing.nextInt(20_000));
                            }
                            loop.iterate();
                        }
                        done.countDown();
                    });
                    producer.start();
                }
                assertThat(done.await(30, TimeUnit.SECONDS)).as("producers done (seed %d)", seed).isTrue();
                int expected = producers * each;
                await().atMost(10, TimeUnit.SECONDS).until(() -> loop.written.size() == expected);
                assertThat(loop.overlapped).as("process() ran on two threads at once (seed %d)", seed).isFalse();
                List<Integer> written = List.copyOf(loop.written);
                assertThat(written).as("written, round %d (seed %d)", round, seed).isSorted().doesNotHaveDuplicates()
                        .hasSize(expected);
                assertThat(loop.failures).isEmpty();
            }
        } finally {
            callbacks.shutdownNow();
        }
    }
}
