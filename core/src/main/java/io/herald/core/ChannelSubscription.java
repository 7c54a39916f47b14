package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's subscription to one exact channel or pattern.
 *
 * <p>An exact subscription that resumes from a position starts <em>catching up</em>: it is registered with
 * the feed first, buffers what the feed dispatches meanwhile (bounded), replays history up to the head at
 * the pace of the subscriber's room, then delivers the buffered messages it has not replayed and turns
 * live, all without a gap or a duplicate. If the buffer overflows it is dropped and history, which has
 * those messages too, is read again.
 *
 * <p>Live-side state ({@code live}, {@code buffer}) is guarded by the feed's monitor; the catch-up cursor is
 * owned by the one catch-up task running at a time. A pattern subscription is always live.
 */
final class ChannelSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelSubscription.class);
    private static final int REPLAY_BATCH = 512;

    private final Engine engine;
    private final ChannelName channel;
    private final Subscriber subscriber;
    private final int bufferLimit;
    private volatile ChannelFeed feed;
    private volatile boolean closed;
    private volatile Position registeredAt;

    // Guarded by the feed's monitor.
    private boolean live;
    private boolean overflowed;
    private ArrayDeque<Object> buffer;
    private Position delivered;

    // Owned by the catch-up task.
    private Position cursor;

    ChannelSubscription(Engine engine, ChannelName channel, Subscriber subscriber, int bufferLimit) {
        this.engine = engine;
        this.channel = channel;
        this.subscriber = subscriber;
        this.bufferLimit = bufferLimit;
        this.live = channel.isPattern();
    }

    @Override
    public ChannelName channel() {
        return channel;
    }

    @Override
    public Position registeredAt() {
        return registeredAt;
    }

    Subscriber subscriber() {
        return subscriber;
    }

    /** Called under the feed's monitor right after registration. */
    void attach(ChannelFeed feed, Position at, Resume resume) {
        this.feed = feed;
        this.registeredAt = at;
        this.delivered = at;
        if (resume instanceof Resume.After) {
            live = false;
            buffer = new ArrayDeque<>();
        } else {
            live = true;
            if (resume instanceof Resume.Unknown unknown) {
                subscriber.gap(Gap.reset(channel, unknown.offset(), at.offset() + 1));
                engine.countGap();
            }
        }
    }

    /** Offers a message the feed dispatches (under its monitor); true if delivered now. */
    boolean offer(Message message) {
        if (closed) {
            return false;
        }
        if (!live) {
            if (!overflowed) {
                if (buffer.size() >= bufferLimit) {
                    overflowed = true;
                    buffer.clear();
                } else {
                    buffer.add(message);
                }
            }
            return false;
        }
        if (!channel.isPattern() && message.position().sameEpoch(delivered) && message.offset() <= delivered.offset()) {
            // Catch-up may have read a message from history before the feed dispatched it.
            return false;
        }
        if (!subscriber.deliver(message)) {
            cutOff(channel.isPattern() ? message.channel() : channel,
                    channel.isPattern() ? new Position(message.position().epoch(), message.offset() - 1) : delivered);
            return false;
        }
        if (!channel.isPattern()) {
            delivered = message.position();
        }
        return true;
    }

    void offerGap(Gap gap) {
        if (closed) {
            return;
        }
        if (!live) {
            if (!overflowed) {
                buffer.add(gap);
            }
            return;
        }
        subscriber.gap(gap);
    }

    /** Replays from {@code after} until caught up; runs on the subscribing thread, then on engine threads. */
    void catchUp(Position after) {
        cursor = after;
        continueCatchUp();
    }

    private void continueCatchUp() {
        try {
            while (!closed) {
                int room = subscriber.room();
                if (room <= 0) {
                    subscriber.whenRoom(() -> engine.execute(this::continueCatchUp));
                    return;
                }
                if (cursor == null) {
                    // A reset was handed over: everything of the new epoch is new to this subscriber.
                    cursor = Position.start(engine.history().head(channel).epoch());
                }
                Replay replay = engine.history().replay(channel, cursor, Math.min(room, REPLAY_BATCH));
                if (replay.gap() != null) {
                    subscriber.gap(replay.gap());
                    engine.countGap();
                    if (replay.gap().reset()) {
                        cursor = replay.head();
                    }
                }
                for (Message m : replay.messages()) {
                    if (!subscriber.deliver(m)) {
                        // The room shrank under us (another channel filled it): wait, then resume here.
                        subscriber.whenRoom(() -> engine.execute(this::continueCatchUp));
                        return;
                    }
                    cursor = m.position();
                }
                engine.countDelivered(replay.messages().size());
                if (replay.complete()) {
                    Handover handover = handOver();
                    if (handover == Handover.LIVE) {
                        return;
                    }
                    if (handover == Handover.WAIT) {
                        subscriber.whenRoom(() -> engine.execute(this::continueCatchUp));
                        return;
                    }
                }
            }
        } catch (StoreException e) {
            LOG.warn("catch-up of {} after {} failed: {}", channel, cursor, e.getMessage());
            cutOff(channel, cursor);
        }
    }

    private enum Handover { LIVE, REREAD, WAIT }

    /**
     * Delivers the buffered messages not replayed yet and turns live. When the buffer overflowed, history is
     * read again; when the subscriber runs out of room, the rest waits (history has it too).
     */
    private Handover handOver() {
        ChannelFeed f = feed;
        synchronized (f) {
            if (closed) {
                return Handover.LIVE;
            }
            if (overflowed) {
                overflowed = false;
                buffer.clear();
                return Handover.REREAD;
            }
            while (!buffer.isEmpty()) {
                Object item = buffer.peek();
                if (item instanceof Gap gap) {
                    subscriber.gap(gap);
                    if (gap.reset()) {
                        cursor = null;
                    }
                } else {
                    Message m = (Message) item;
                    boolean seen = cursor != null && m.position().sameEpoch(cursor) && m.offset() <= cursor.offset();
                    if (!seen) {
                        if (!subscriber.deliver(m)) {
                            return Handover.WAIT;
                        }
                        cursor = m.position();
                    }
                }
                buffer.poll();
            }
            buffer = null;
            delivered = cursor;
            live = true;
            return Handover.LIVE;
        }
    }

    private void cutOff(ChannelName concerned, Position lastDelivered) {
        if (closed) {
            return;
        }
        close();
        engine.countCutOff();
        engine.execute(() -> subscriber.cutOff(concerned, lastDelivered));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.unsubscribe(this, feed);
    }
}
