package io.herald.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that run connection writers when the engine wakes them: one per CPU, each with its own queue,
 * a connection always on the same one; part of {@link EngineThreads}, shared by every transport. Waking a
 * writer costs the engine's thread a queue insert (and an unpark only when that writer thread sleeps),
 * instead of a task in Jetty's pool per connection and message, and the engine's publishing thread never
 * writes to sockets itself, so a publish with 10,000 subscribers returns as soon as they are all queued.
 * Writers never block (writes are asynchronous), so a few threads suffice. Idle threads park.
 *
 * <p><b>Held wake-ups.</b> Between {@link #hold()} and {@link #release()} on a thread (a feed dispatching one
 * message to all its subscribers), the tasks that thread hands over are gathered per writer thread and queued
 * {@value #CHUNK} at a time: one queue node, one compare-and-set and at most one unpark per chunk instead of
 * per connection (issue 14: {@code ConcurrentLinkedQueue.offer} was the largest Java item of a 10,000-stream
 * fan-out). A chunk is handed over as soon as it is full, so the writer starts on the first streams while the
 * dispatch goes on; {@link #release()} hands over the rest. Each writer thread still runs its tasks in the order
 * they were handed over from each thread.
 *
 * <p>Thread-safe; hold and release are per thread and nest.
 */
final class WriterThreads {

    /** Tasks gathered per writer thread before they are queued together while held. */
    static final int CHUNK = 64;

    private final Worker[] workers;
    private final ThreadLocal<Held> held = new ThreadLocal<>();

    WriterThreads(int threads) {
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker("herald-writer-" + i);
            workers[i].start();
        }
    }

    /** Stops the threads; tasks not run yet are dropped (their connections are ended by then). */
    void stop() {
        for (Worker worker : workers) {
            worker.running = false;
            LockSupport.unpark(worker);
        }
    }

    /** Runs {@code task} soon on the writer thread of {@code key}. */
    void execute(int key, Runnable task) {
        int index = Math.floorMod(key, workers.length);
        Held h = held.get();
        if (h != null && h.depth > 0) {
            h.add(index, task);
        } else {
            workers[index].add(task);
        }
    }

    /** From now until the matching {@link #release()}, this thread's tasks are handed over in chunks. */
    void hold() {
        Held h = held.get();
        if (h == null) {
            h = new Held(workers);
            held.set(h);
        }
        h.depth++;
    }

    /** Ends a {@link #hold()}; the outermost one hands over what this thread gathered. */
    void release() {
        Held h = held.get();
        if (h != null && h.depth > 0 && --h.depth == 0) {
            h.flush();
        }
    }

    /** What one thread gathers while it holds: a partial chunk per writer thread. Confined to that thread. */
    private static final class Held {
        private final Worker[] workers;
        private final Runnable[][] chunks;
        private final int[] counts;
        int depth;

        Held(Worker[] workers) {
            this.workers = workers;
            this.chunks = new Runnable[workers.length][];
            this.counts = new int[workers.length];
        }

        void add(int index, Runnable task) {
            Runnable[] chunk = chunks[index];
            if (chunk == null) {
                // A fresh array per chunk, handed over whole: it is young, so filling it dirties no old card.
                chunk = new Runnable[CHUNK];
                chunks[index] = chunk;
            }
            chunk[counts[index]++] = task;
            if (counts[index] == CHUNK) {
                hand(index);
            }
        }

        void flush() {
            for (int i = 0; i < chunks.length; i++) {
                if (counts[i] > 0) {
                    hand(i);
                }
            }
        }

        private void hand(int index) {
            Runnable[] chunk = chunks[index];
            chunks[index] = null;
            counts[index] = 0;
            workers[index].add(chunk);
        }
    }

    private static final class Worker extends Thread {
        /** Runnables, and chunks of them ({@code Runnable[]}, ending at the first null). */
        private final ConcurrentLinkedQueue<Object> tasks = new ConcurrentLinkedQueue<>();
        private volatile boolean sleeping;
        private volatile boolean running = true;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void add(Object task) {
            tasks.add(task);
            if (sleeping) {
                // One unpark per sleep: a publish that wakes 10,000 connections while this thread has not run
                // yet (on one CPU it cannot) would otherwise unpark it 10,000 times.
                sleeping = false;
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (running) {
                Object task = tasks.poll();
                if (task == null) {
                    sleeping = true;
                    // Re-check after announcing sleep, so an add between poll and park is not missed.
                    if (tasks.isEmpty() && running) {
                        LockSupport.park(this);
                    }
                    sleeping = false;
                    continue;
                }
                if (task instanceof Runnable[] chunk) {
                    for (Runnable r : chunk) {
                        if (r == null) {
                            break;
                        }
                        runSafely(r);
                    }
                } else {
                    runSafely((Runnable) task);
                }
            }
        }

        private static void runSafely(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // A writer failure belongs to its connection (WriteLoop fails it); never kill the thread.
                org.slf4j.LoggerFactory.getLogger(WriterThreads.class).warn("writer task failed", e);
            }
        }
    }
}
