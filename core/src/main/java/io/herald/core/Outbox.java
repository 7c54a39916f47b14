package io.herald.core;

import java.util.ArrayList;
import java.util.Arrays;
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
 * costs this object here, not {@code capacity} slots. With a {@link RingSlab}, the first ring is a segment cut
 * from the slab's shared arrays (the rings of many connections then share GC cards); a ring that outgrows it
 * gets an array of its own. {@link #seal()} ends intake but lets the writer flush what is queued,
 * which is how a cut-off connection closes after flushing what fits.
 *
 * <p>Thread-safe; callbacks run outside the lock, on the thread that caused them.
 */
public final class Outbox {

    private final int capacity;
    private final Runnable onReady;
    /** Where the first ring is cut from; null: every ring is an array of its own. */
    private final RingSlab slab;
    private static final Object[] EMPTY = new Object[0];
    private static final List<Object> NO_ITEMS = List.of();
    private static final List<Runnable> NO_WAITERS = List.of();

    // The ring and both lists are made when first needed: an idle connection's outbox is this object alone.
    /** The ring: {@code length} slots of this array from {@code base} (a slab segment), or all of it. */
    private Object[] ring = EMPTY;
    private int base;
    private int length;
    private boolean segment;
    private List<Object> overflow = NO_ITEMS;
    private List<Runnable> roomWaiters = NO_WAITERS;
    private int head;
    private int size;
    private boolean closed;
    private boolean sealed;

    public Outbox(int capacity, Runnable onReady) {
        this(capacity, onReady, null);
    }

    /** An outbox whose first ring is cut from {@code slab} (when {@code capacity} is at least a segment). */
    Outbox(int capacity, Runnable onReady, RingSlab slab) {
        if (capacity < 1) {
            throw new IllegalArgumentException("outbox capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.onReady = onReady;
        this.slab = capacity >= RingSlab.SEGMENT ? slab : null;
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
            return ring[base + head];
        }
        return overflow.isEmpty() ? null : overflow.get(0);
    }

    /** Takes the oldest item; {@code null} when none is queued. Runs the room waiters once half the capacity is free. */
    public Object poll() {
        List<Runnable> ready = null;
        Object item;
        synchronized (this) {
            if (size > 0) {
                item = ring[base + head];
                ring[base + head] = null;
                head = (head + 1) % length;
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
        dropRing();
        head = 0;
        size = 0;
        overflow = NO_ITEMS;
        roomWaiters = NO_WAITERS;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void append(Object item) {
        if (size == length) {
            if (length == 0 && slab != null) {
                RingSlab.Taken taken = slab.take();
                ring = taken.array();
                base = taken.start();
                length = RingSlab.SEGMENT;
                segment = true;
                head = 0;
            } else {
                grow();
            }
        }
        ring[base + (head + size) % length] = item;
        size++;
    }

    private void grow() {
        Object[] bigger = new Object[Math.min(capacity, Math.max(8, length * 2))];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[base + (head + i) % length];
        }
        dropRing();
        ring = bigger;
        length = bigger.length;
        head = 0;
    }

    /** Forgets the ring; a slab segment goes back with its slots cleared. */
    private void dropRing() {
        if (segment) {
            Arrays.fill(ring, base, base + length, null);
            slab.giveBack(ring, base);
            segment = false;
        }
        ring = EMPTY;
        base = 0;
        length = 0;
    }

    private boolean isEmptyLocked() {
        return size == 0 && overflow.isEmpty();
    }
}
