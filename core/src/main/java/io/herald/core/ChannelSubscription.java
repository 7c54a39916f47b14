package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * those messages too, is read again. Where history has lost messages the subscriber has not had, its
 * {@linkplain Subscriber#backlog() backlog}, when it has one, supplies them instead of a gap.
 *
 * <p>Live-side state ({@code live}, {@code buffer}) is guarded by the feed's monitor; the catch-up cursor is
 * owned by the one catch-up task running at a time. A pattern subscription is always live.
 */
final class ChannelSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelSubscription.class);
    private static final int REPLAY_BATCH = 512;
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ChannelSubscription.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Engine engine;
    private final ChannelName channel;
    private final Subscriber subscriber;
    private final int bufferLimit;
    private volatile ChannelFeed feed;
    /** Set once, by compare-and-set through {@link #CLOSED}: an AtomicBoolean would be 16 bytes more per subscriber. */
    private volatile boolean closed;
    private volatile Position registeredAt;

    // Guarded by the feed's monitor.
    private boolean live;
    private boolean overflowed;
    private ArrayDeque<Object> buffer;
    /*
     * The position delivered up to, as primitives (epoch null before anything is known): it moves once per live
     * message and subscriber, and storing a Position reference into this long-lived object each time would
     * dirty a GC card per subscriber and message for G1's refinement thread to scan (issue 14).
     */
    private String deliveredEpoch;
    private long deliveredOffset;

    // Owned by the catch-up task.
    private volatile Position cursor;

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
        deliveredTo(at);
        if (resume instanceof Resume.After) {
            live = false;
            buffer = new ArrayDeque<>();
        } else {
            live = true;
            if (resume instanceof Resume.Unknown unknown) {
                subscriber.gap(Gap.reset(channel, at.epoch(), unknown.offset(), at.offset() + 1));
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
        if (!channel.isPattern() && message.position().epoch().equals(deliveredEpoch) && message.offset() <= deliveredOffset) {
            // Catch-up may have read a message from history before the feed dispatched it.
            return false;
        }
        if (!subscriber.deliver(message)) {
            cutOff(channel.isPattern() ? message.channel() : channel,
                    channel.isPattern() ? new Position(message.position().epoch(), message.offset() - 1) : delivered());
            return false;
        }
        if (!channel.isPattern()) {
            deliveredTo(message.position());
        }
        return true;
    }

    /** Under the feed's monitor. */
    private void deliveredTo(Position position) {
        if (position == null) {
            deliveredEpoch = null;
            return;
        }
        if (!position.epoch().equals(deliveredEpoch)) {
            deliveredEpoch = position.epoch();
        }
        deliveredOffset = position.offset();
    }

    /** Under the feed's monitor. */
    private Position delivered() {
        return deliveredEpoch == null ? null : new Position(deliveredEpoch, deliveredOffset);
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
                    subscriber.whenRoom(this::scheduleCatchUp);
                    return;
                }
                Replay replay = engine.history().replay(channel, cursor, Math.min(room, REPLAY_BATCH));
                if (replay.gap() != null && !replay.gap().reset() && subscriber.backlog() != null) {
                    Backfill backfill = fromBacklog(replay.gap(), room);
                    if (backfill == Backfill.WAIT) {
                        subscriber.whenRoom(this::scheduleCatchUp);
                        return;
                    }
                    if (backfill == Backfill.DELIVERED) {
                        continue; // read history again from the new cursor: it may have moved on meanwhile
                    }
                }
                if (replay.gap() != null) {
                    subscriber.gap(replay.gap());
                    engine.countGap();
                    cursor = replay.gap().resumeAfter();
                }
                for (Message m : replay.messages()) {
                    if (!subscriber.deliver(m)) {
                        // The room shrank under us (another channel filled it): wait, then resume here.
                        subscriber.whenRoom(this::scheduleCatchUp);
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
                        subscriber.whenRoom(this::scheduleCatchUp);
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

    private enum Backfill { DELIVERED, NOTHING, WAIT }

    /**
     * History lost what {@code gap} says; the subscriber's backlog may still keep it. Delivers, in order, the
     * kept messages from the cursor up to where history resumes, with a (smaller) gap before any that the
     * backlog does not have either; NOTHING when it keeps none of them (the caller reports the gap itself).
     */
    private Backfill fromBacklog(Gap gap, int room) {
        long wanted = gap.firstAvailable() - 1 - cursor.offset();
        if (wanted <= 0) {
            return Backfill.NOTHING;
        }
        String name = subscriber.backlog();
        java.util.List<Message> kept = engine.backlog().read(name, cursor, (int) Math.min(Math.min(room, REPLAY_BATCH), wanted));
        int delivered = 0;
        for (Message m : kept) {
            if (!m.position().sameEpoch(cursor) || m.offset() >= gap.firstAvailable()) {
                break;
            }
            if (m.offset() <= cursor.offset()) {
                continue;
            }
            if (m.offset() > cursor.offset() + 1) {
                // Neither history nor the backlog has these (the backlog began after them): say so, then go on.
                Gap missed = Gap.retention(channel, cursor.epoch(), cursor.offset(), m.offset());
                subscriber.gap(missed);
                engine.countGap();
                cursor = missed.resumeAfter();
            }
            if (!subscriber.deliver(m)) {
                engine.countDelivered(delivered);
                return Backfill.WAIT;
            }
            cursor = m.position();
            delivered++;
        }
        engine.countDelivered(delivered);
        return delivered > 0 ? Backfill.DELIVERED : Backfill.NOTHING;
    }

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
                    Position after = gap.resumeAfter();
                    // A gap the replay already crossed was told by it; only a newer one is news.
                    if (!after.sameEpoch(cursor) || after.offset() > cursor.offset()) {
                        subscriber.gap(gap);
                        cursor = after;
                    }
                } else {
                    Message m = (Message) item;
                    boolean seen = m.position().sameEpoch(cursor) && m.offset() <= cursor.offset();
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
            deliveredTo(cursor);
            live = true;
            return Handover.LIVE;
        }
    }

    private void scheduleCatchUp() {
        engine.execute(this::continueCatchUp, () -> cutOff(channel, cursor));
    }

    /** The feed cannot serve this subscription now (store outage): cut it off where live delivery stands. */
    void cutOffAtPosition() {
        cutOff(channel, live ? delivered() : cursor);
    }

    private void cutOff(ChannelName concerned, Position lastDelivered) {
        // Two feeds can offer to one pattern subscription at once: only one of them may close it.
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        engine.unsubscribe(this, feed);
        engine.countCutOff();
        Runnable notice = () -> subscriber.cutOff(concerned, lastDelivered);
        engine.execute(notice, notice);
    }

    @Override
    public String toString() {
        ChannelFeed f = feed;
        if (f == null) {
            return "[registering]";
        }
        synchronized (f) {
            return "[" + (closed ? "closed" : live ? "live, delivered up to " + delivered()
                    : "catching up after " + cursor + ", " + (buffer == null ? 0 : buffer.size()) + " buffered") + "]";
        }
    }

    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            engine.unsubscribe(this, feed);
        }
    }
}
