package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import io.herald.core.memory.MemoryHistoryStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A memory history store a test can steer: lose everything (a new epoch, as a Redis restart without
 * persistence), refuse replays (a store outage), or hold the next replay until released.
 */
final class ControlledHistoryStore implements HistoryStore {

    private volatile MemoryHistoryStore delegate = new MemoryHistoryStore();
    volatile boolean failReplays;
    private volatile CountDownLatch holdNext;
    private volatile CountDownLatch held = new CountDownLatch(1);

    /** History is gone: the channel restarts in a new epoch. */
    void lose() {
        delegate = new MemoryHistoryStore();
    }

    /** The next replay waits until {@link #release()}; {@link #awaitHeld()} returns once it waits. */
    void holdNextReplay() {
        held = new CountDownLatch(1);
        holdNext = new CountDownLatch(1);
    }

    void awaitHeld() throws InterruptedException {
        if (!held.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no replay came to be held");
        }
    }

    void release() {
        CountDownLatch h = holdNext;
        if (h != null) {
            h.countDown();
        }
    }

    @Override
    public Message append(Publication publication) {
        return delegate.append(publication);
    }

    @Override
    public Replay replay(ChannelName channel, Position after, int limit) {
        CountDownLatch hold;
        synchronized (this) {
            hold = holdNext;
            holdNext = null;
        }
        if (hold != null) {
            held.countDown();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failReplays) {
            throw new StoreException("history of " + channel + " is unreachable (test outage)");
        }
        return delegate.replay(channel, after, limit);
    }

    @Override
    public Position head(ChannelName channel) {
        return delegate.head(channel);
    }
}
