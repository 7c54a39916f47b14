package io.herald.core;

import io.herald.api.Gap;
import io.herald.api.Message;

/**
 * A {@link Subscriber} that queues into its own bounded {@link Outbox}, as a connection does: a live message
 * that does not fit is refused (and the engine cuts the subscriber off, G6), gaps are always queued, and
 * catch-up is paced by the outbox's room. Subclasses say how to wake their writer and how to end when cut off.
 *
 * <p>Thread-safe as far as this class goes; {@link #ready()} runs on whichever engine thread filled the
 * empty outbox and must not block.
 */
public abstract class OutboxSubscriber implements Subscriber {

    protected final Outbox outbox;

    protected OutboxSubscriber(int capacity) {
        this.outbox = new Outbox(capacity, this::ready);
    }

    /** The outbox went from empty to non-empty: wake the writer that drains it. */
    protected abstract void ready();

    @Override
    public boolean deliver(Message message) {
        return outbox.offer(message);
    }

    @Override
    public void gap(Gap gap) {
        outbox.offerAlways(gap);
    }

    @Override
    public int room() {
        return outbox.room();
    }

    @Override
    public void whenRoom(Runnable task) {
        outbox.whenRoom(task);
    }
}
