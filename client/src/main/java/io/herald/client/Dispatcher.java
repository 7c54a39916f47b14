package io.herald.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on the application's executor, whatever its number of
 * threads: handlers see a channel in position order, and the state and missed-messages listeners in order
 * with the messages. Thread-safe.
 */
final class Dispatcher implements Executor {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int BURST = 256;
    private final Executor executor;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    Dispatcher(Executor executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        schedule();
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException e) {
            // The executor was shut down (the client closed): what is queued will never run.
            synchronized (queue) {
                queue.clear();
                draining = false;
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BURST; i++) {
            Runnable task;
            synchronized (queue) {
                task = queue.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "a Herald client callback failed", t);
            }
        }
        // Yield the thread between bursts so a shared executor's other work is not starved.
        schedule();
    }
}
