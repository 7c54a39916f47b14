package io.herald.core;

import io.herald.api.Lifecycle;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's threads, shared by the engine, the session layer and every transport, so that no component
 * starts threads of its own: one scheduler for timers (heartbeats, session expiry, long-poll timeouts,
 * feed retirement), a pool of workers for tasks that may wait on the store (catch-up from history, hole
 * fills), and the {@link WriterThreads} that run connection writers.
 *
 * <p>Started before the engine and stopped after every component that uses it. The worker queue is bounded
 * (G6): a task that does not fit is refused and its owner falls back (a catch-up is cut off and the client
 * resumes later) instead of queueing without bound. Thread-safe.
 */
@Singleton
public final class EngineThreads implements Lifecycle {

    /** Tasks the workers hold at most before refusing more. */
    static final int QUEUE = 65_536;

    private volatile ScheduledExecutorService scheduler;
    private volatile ThreadPoolExecutor workers;
    private volatile WriterThreads writers;

    @Override
    public int phase() {
        return ENGINE - 50;
    }

    @Override
    public synchronized void start() {
        int cpus = Runtime.getRuntime().availableProcessors();
        scheduler = Executors.newSingleThreadScheduledExecutor(daemons("herald-timer"));
        int size = Math.max(4, cpus * 2);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
                daemons("herald-worker"));
        pool.allowCoreThreadTimeOut(true);
        workers = pool;
        writers = new WriterThreads(Math.max(1, cpus));
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            workers.shutdownNow();
            writers.stop();
        }
    }

    /** The timer thread; tasks on it must be short and never block. */
    public ScheduledExecutorService scheduler() {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            throw new IllegalStateException("Herald is not started: no scheduler yet");
        }
        return s;
    }

    /**
     * Runs {@code task} on a worker; runs {@code onRefused} on the calling thread instead when the workers are
     * saturated or stopped.
     */
    public void execute(Runnable task, Runnable onRefused) {
        ThreadPoolExecutor w = workers;
        if (w != null) {
            try {
                w.execute(task);
                return;
            } catch (RejectedExecutionException e) {
                // fall through to the owner's fallback
            }
        }
        onRefused.run();
    }

    /** Runs {@code task} soon on the writer thread of {@code key}; a key always gets the same thread. */
    public void write(int key, Runnable task) {
        WriterThreads w = writers;
        if (w != null) {
            w.execute(key, task);
        }
    }

    /**
     * Until the matching {@link #releaseWrites()}, this thread's {@link #write} wake-ups are gathered and handed
     * to the writer threads in chunks (a fan-out of one message to many connections); nests.
     */
    void holdWrites() {
        WriterThreads w = writers;
        if (w != null) {
            w.hold();
        }
    }

    /** Ends a {@link #holdWrites()}; the outermost hands over what was gathered. */
    void releaseWrites() {
        WriterThreads w = writers;
        if (w != null) {
            w.release();
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
