package io.herald.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that run connection writers when the engine wakes them: one per CPU, each with its own queue,
 * a connection always on the same one; part of {@link EngineThreads}, shared by every transport. Waking a
 * writer costs the engine's thread a queue insert (and an unpark only when that writer thread sleeps),
 * instead of a task in Jetty's pool per connection and message, and the engine's publishing thread never
 * writes to sockets itself, so a publish with 10,000 subscribers returns as soon as they are all queued.
 * Writers never block (writes are asynchronous), so a few threads suffice. Idle threads park. Thread-safe.
 */
final class WriterThreads {

    private final Worker[] workers;

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
        workers[Math.floorMod(key, workers.length)].add(task);
    }

    private static final class Worker extends Thread {
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private volatile boolean sleeping;
        private volatile boolean running = true;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void add(Runnable task) {
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
                Runnable task = tasks.poll();
                if (task == null) {
                    sleeping = true;
                    // Re-check after announcing sleep, so an add between poll and park is not missed.
                    if (tasks.isEmpty() && running) {
                        LockSupport.park(this);
                    }
                    sleeping = false;
                    continue;
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    // A writer failure belongs to its connection (IteratingCallback fails it); never kill the thread.
                    org.slf4j.LoggerFactory.getLogger(WriterThreads.class).warn("writer task failed", e);
                }
            }
        }
    }
}
