package io.herald.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's bounded queue of outgoing items (messages, gaps, control frames), between the engine
 * threads that fill it and the one writer that drains it to the network.
 *
 * <p>{@link #offer} refuses an item when the queue holds {@code capacity} items, which is how a slow
 * consumer is detected (G6); {@link #offerAlways} is for the rare notices that must not be refused (gaps),
 * which protocols emit at most once per channel per event. When the queue goes from empty to non-empty,
 * the {@code onReady} callback wakes the writer. Catch-up waits for room with {@link #whenRoom}; its tasks
 * run once the writer has drained the queue to half capacity.
 *
 * <p>The ring is made with the first item, starts small and grows up to {@code capacity}, so an idle connection
 * costs this object here, not {@code capacity} slots. {@link #seal()} ends intake but lets the writer flush what is queued,
 * which is how a cut-off connection closes after flushing what fits.
 *
 * <p>Thread-safe; callbacks run outside the lock, on the thread that caused them.
 */
public final class Outbox {

    private final int capacity;
    private final Runnable onReady;
    private static final Object[] EMPTY = new Object[0];
    private static final List<Object> NO_ITEMS = List.of();
    private static final List<Runnable> NO_WAITERS = List.of();

    // The ring and both lists are made when first needed: an idle connection's outbox is this object alone.
    private Object[] ring = EMPTY;
    private List<Object> overflow = NO_ITEMS;
    private List<Runnable> roomWaiters = NO_WAITERS;
    private int head;
    private int size;
    private boolean closed;
    private boolean sealed;

    public Outbox(int capacity, Runnable onReady) {
        if (capacity < 1) {
            throw new IllegalArgumentException("outbox capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.onReady = onReady;
    }

    /** Queues {@code item} unless the outbox is full or closed. */
    public boolean offer(Object item) {
        boolean wake;
        synchronized (this) {
            if (closed || sealed || size == capacity) {
                return false;
            }
            wake = isEmptyLocked();
            append(item);
        }
        if (wake) {
            onReady.run();
        }
        return true;
    }

    /** Queues {@code item} even beyond capacity (rare notices); false only when closed. */
    public boolean offerAlways(Object item) {
        boolean wake;
        synchronized (this) {
            if (closed || sealed) {
                return false;
            }
            wake = isEmptyLocked();
            if (size < capacity && overflow.isEmpty()) {
                append(item);
            } else {
                if (overflow == NO_ITEMS) {
                    overflow = new ArrayList<>();
                }
                overflow.add(item);
            }
        }
        if (wake) {
            onReady.run();
        }
        return true;
    }

    /** How many more items {@link #offer} would accept now. */
    public synchronized int room() {
        return closed || sealed ? 0 : capacity - size;
    }

    /** Items queued now. */
    public synchronized int size() {
        return size + overflow.size();
    }

    public synchronized boolean isEmpty() {
        return isEmptyLocked();
    }

    /** Runs {@code task} when at least half the capacity is free; at once if it is now. Dropped when closed. */
    public void whenRoom(Runnable task) {
        synchronized (this) {
            if (closed || sealed) {
                return;
            }
            if (capacity - size < Math.max(1, capacity / 2)) {
                if (roomWaiters == NO_WAITERS) {
                    roomWaiters = new ArrayList<>(1);
                }
                roomWaiters.add(task);
                return;
            }
        }
        task.run();
    }

    /** Moves up to {@code max} items, oldest first, into {@code sink}; returns how many. */
    public int drainTo(List<Object> sink, int max) {
        int moved = 0;
        Object item;
        while (moved < max && (item = poll()) != null) {
            sink.add(item);
            moved++;
        }
        return moved;
    }

    /** The oldest item, left queued; {@code null} when none is. */
    public synchronized Object peek() {
        if (size > 0) {
            return ring[head];
        }
        return overflow.isEmpty() ? null : overflow.get(0);
    }

    /** Takes the oldest item; {@code null} when none is queued. Runs the room waiters once half the capacity is free. */
    public Object poll() {
        List<Runnable> ready = null;
        Object item;
        synchronized (this) {
            if (size > 0) {
                item = ring[head];
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
            } else if (!overflow.isEmpty()) {
                item = overflow.remove(0);
            } else {
                return null;
            }
            // Items that overflowed go before anything queued later, so move them into the ring in order.
            while (!overflow.isEmpty() && size < capacity) {
                append(overflow.remove(0));
            }
            if (!roomWaiters.isEmpty() && capacity - size >= Math.max(1, capacity / 2)) {
                ready = roomWaiters;
                roomWaiters = NO_WAITERS;
            }
        }
        if (ready != null) {
            ready.forEach(Runnable::run);
        }
        return item;
    }

    /** Refuses new items from now on; what is queued can still be drained. */
    public synchronized void seal() {
        sealed = true;
        roomWaiters = NO_WAITERS;
    }

    /** Whether {@link #seal()} or {@link #close()} was called. */
    public synchronized boolean isSealed() {
        return sealed || closed;
    }

    /** Refuses everything from now on and forgets what is queued and who waits. */
    public synchronized void close() {
        closed = true;
        ring = EMPTY;
        head = 0;
        size = 0;
        overflow = NO_ITEMS;
        roomWaiters = NO_WAITERS;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void append(Object item) {
        if (size == ring.length) {
            Object[] bigger = new Object[Math.min(capacity, Math.max(8, ring.length * 2))];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) % ring.length] = item;
        size++;
    }

    private boolean isEmptyLocked() {
        return size == 0 && overflow.isEmpty();
    }
}
