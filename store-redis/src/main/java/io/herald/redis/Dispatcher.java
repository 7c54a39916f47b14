package io.herald.redis;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that calls broker listeners, so that the thread reading the pub/sub connection never waits for
 * one: a listener may block on the engine's locks while the engine, holding them, waits for the reader to
 * confirm a subscription. Each subscription is always handed to the same dispatcher, which keeps its order.
 *
 * <p>The queue is bounded (G6): when listeners fall that far behind, further messages are dropped and,
 * once the queue has drained, {@code onOverflow} runs so that listeners re-read history (no silent loss).
 * Thread-safe.
 */
final class Dispatcher<T> {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final BlockingQueue<T> queue;
    private final Consumer<T> handler;
    private final Runnable onOverflow;
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;

    Dispatcher(String name, int capacity, Consumer<T> handler, Runnable onOverflow) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.handler = handler;
        this.onOverflow = onOverflow;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues {@code item} without ever blocking; drops it (and remembers to resync) when the queue is full. */
    void offer(T item) {
        if (!queue.offer(item) && overflowed.compareAndSet(false, true)) {
            LOG.warn("{}: listeners are {} messages behind; dropping messages until they catch up, then re-reading history",
                    thread.getName(), queue.size());
        }
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    private void run() {
        while (running) {
            try {
                T item = queue.take();
                handle(item);
                if (queue.isEmpty() && overflowed.compareAndSet(true, false)) {
                    onOverflow.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("{}: a listener failed: {}", thread.getName(), e.toString());
            }
        }
    }

    private void handle(T item) {
        handler.accept(item);
    }
}
