package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One subscription of a {@link Connection}: its key (a STOMP subscription id, a Bayeux or SSE channel), its
 * channel or pattern, how it acknowledges, the position written up to, and for acknowledged delivery the
 * unacked window (G4).
 *
 * <p>It is the engine's {@link Subscriber} for its channel and queues into the connection's one bounded
 * outbox. In an acknowledged mode, when {@code window} messages are unacked the engine's offer is refused,
 * the engine drops the engine-side subscription, and this one waits paused at its position; acks make room
 * and it subscribes again from there, so the backlog is read from history instead of held in memory (G6).
 * A message that does not fit the outbox cuts the whole connection off instead (a slow consumer).
 *
 * <p>On a durable session's next connection, the positions that were unacked are delivered again, flagged
 * as redelivered, and the ones acked meanwhile are skipped. Thread-safe.
 */
public final class ConnectionSubscription implements Subscriber {

    /** A message queued with the subscription it is for, when the channel alone does not say. */
    record Delivery(ConnectionSubscription subscription, Message message, boolean redelivered) {
    }

    /** A gap queued with the subscription it is for. */
    record Notice(ConnectionSubscription subscription, Gap gap) {
    }

    private final Connection connection;
    private final String key;
    private final ChannelName channel;
    private final AckMode ack;
    private final int window;
    final boolean plain;
    volatile Subscription engineSubscription;
    /*
     * The cursor, kept as primitives: the writer moves it once per delivered message, and storing a Position
     * (a reference) into this long-lived object would dirty a GC card per subscription and message, which G1's
     * refinement thread then scans (issue 14: that work grows with the number of connections). The epoch
     * changes only when a channel's history is lost; while it changes, the version is odd, so a reader on
     * another thread never pairs one epoch with another's offset. The epoch is null while nothing is known.
     */
    private volatile String cursorEpoch;
    private volatile long cursorOffset;
    private volatile int cursorVersion;

    /** Never added to: the unacked positions of a subscription without acknowledgement, which has none. */
    private static final ArrayDeque<Position> NONE_UNACKED = new ArrayDeque<>(0);

    // Guarded by this. Only an acknowledged subscription has a deque of its own (80 bytes an idle one saves).
    private final ArrayDeque<Position> unacked;
    private boolean windowRefused;
    private Position pausedAt;
    private List<Runnable> windowWaiters;
    private final Position resumedCursor;
    private final Set<Position> redeliver;
    /** The name of the backlog keeping this subscription's messages beyond history, or null. */
    final String backlog;

    ConnectionSubscription(Connection connection, String key, ChannelName channel, AckMode ack, int window, boolean plain,
                           Position start, Position resumedCursor, Set<Position> redeliver, String backlog) {
        this.connection = connection;
        this.key = key;
        this.channel = channel;
        this.ack = ack;
        this.window = window;
        this.unacked = ack.acknowledged() ? new ArrayDeque<>() : NONE_UNACKED;
        this.plain = plain;
        if (start != null) {
            this.cursorEpoch = start.epoch();
            this.cursorOffset = start.offset();
        }
        this.resumedCursor = resumedCursor;
        this.redeliver = redeliver;
        this.backlog = backlog;
    }

    @Override
    public String backlog() {
        return backlog;
    }

    /**
     * The position up to which the client is done with every message: the cursor when nothing is unacked,
     * else the one before the oldest unacked; {@code null} before anything is known.
     */
    synchronized Position settled() {
        Position first = unacked.peekFirst();
        if (first == null) {
            return cursor();
        }
        return first.offset() > 0 ? new Position(first.epoch(), first.offset() - 1) : null;
    }

    /** The subscription's key within its connection and session. */
    public String key() {
        return key;
    }

    /** The channel or pattern subscribed to. */
    public ChannelName channel() {
        return channel;
    }

    public AckMode ackMode() {
        return ack;
    }

    /**
     * For an exact channel, the position the client has been written up to (the resume position or the
     * channel's head before anything was written); {@code null} for a pattern or before anything is known.
     * Moved by {@link Connection#drain} as items are handed to the writer.
     */
    public Position cursor() {
        while (true) {
            int version = cursorVersion;
            String epoch = cursorEpoch;
            long offset = cursorOffset;
            if ((version & 1) == 0 && version == cursorVersion) {
                return epoch == null ? null : new Position(epoch, offset);
            }
            Thread.onSpinWait();
        }
    }

    void moveTo(Position position) {
        if (channel.isPattern() || position == null) {
            return;
        }
        String epoch = position.epoch();
        if (epoch.equals(cursorEpoch)) {
            // The common case, once per delivered message: one primitive store.
            cursorOffset = position.offset();
            return;
        }
        synchronized (this) {
            cursorVersion++;
            cursorEpoch = epoch;
            cursorOffset = position.offset();
            cursorVersion++;
        }
    }

    /** Unacked positions now, oldest first. */
    public synchronized List<Position> unacked() {
        return List.copyOf(unacked);
    }

    @Override
    public boolean deliver(Message message) {
        Outbox outbox = connection.outbox;
        if (!ack.acknowledged()) {
            if (plain ? outbox.offer(message) : outbox.offer(new Delivery(this, message, false))) {
                return true;
            }
            // Full, or the connection stopped taking messages (a transport replacing it by another may still
            // want what its patterns had): the transport may take a pattern's message from history instead.
            return channel.isPattern() && connection.wire().patternOverflow(this, message);
        }
        synchronized (this) {
            boolean redelivered = false;
            if (resumedCursor != null && message.position().sameEpoch(resumedCursor) && message.offset() <= resumedCursor.offset()) {
                if (!redeliver.contains(message.position())) {
                    return true; // acked before the previous connection dropped
                }
                redelivered = true;
            }
            if (unacked.size() >= window) {
                windowRefused = true;
                return false;
            }
            if (!outbox.offer(new Delivery(this, message, redelivered))) {
                // A full outbox pauses it as a full window does, where the transport asks for that (see
                // Connection.Wire#pausesWhenFull); the cut-off that follows the refusal then resumes it from history.
                windowRefused = !outbox.isSealed() && connection.wire().pausesWhenFull();
                return false;
            }
            unacked.add(message.position());
            return true;
        }
    }

    @Override
    public void gap(Gap gap) {
        connection.outbox.offerAlways(new Notice(this, gap));
    }

    @Override
    public int room() {
        int room = connection.outbox.room();
        if (ack.acknowledged()) {
            synchronized (this) {
                room = Math.min(room, window - unacked.size());
            }
        }
        return room;
    }

    @Override
    public void whenRoom(Runnable task) {
        if (ack.acknowledged()) {
            synchronized (this) {
                if (unacked.size() >= window) {
                    if (windowWaiters == null) {
                        windowWaiters = new ArrayList<>(1);
                    }
                    windowWaiters.add(task);
                    return;
                }
            }
        }
        connection.outbox.whenRoom(task);
    }

    @Override
    public void cutOff(ChannelName concerned, Position lastDelivered) {
        boolean resumeNow;
        synchronized (this) {
            if (!windowRefused) {
                resumeNow = false;
            } else {
                // The window filled, not the outbox: pause here, the backlog stays in history.
                windowRefused = false;
                pausedAt = lastDelivered;
                resumeNow = unacked.size() < window;
                if (!resumeNow) {
                    return;
                }
            }
        }
        if (resumeNow) {
            resumeAfterPause();
        } else {
            connection.cutOff();
        }
    }

    /**
     * Acknowledges {@code position} (and, cumulatively, every earlier unacked one).
     *
     * @return how many unacked positions it covered; 0 for one unknown or acked already
     */
    int acknowledge(Position position, boolean cumulative) {
        int removed = 0;
        List<Runnable> waiters = null;
        boolean resume = false;
        synchronized (this) {
            if (cumulative) {
                Iterator<Position> it = unacked.iterator();
                while (it.hasNext()) {
                    Position p = it.next();
                    if (p.sameEpoch(position) && p.offset() > position.offset()) {
                        break;
                    }
                    it.remove();
                    removed++;
                }
            } else if (unacked.remove(position)) {
                removed = 1;
            }
            if (removed > 0 && unacked.size() < window) {
                waiters = windowWaiters;
                windowWaiters = null;
                resume = pausedAt != null;
            }
        }
        if (waiters != null) {
            waiters.forEach(Runnable::run);
        }
        if (resume) {
            resumeAfterPause();
        }
        return removed;
    }

    private void resumeAfterPause() {
        Position from;
        synchronized (this) {
            from = pausedAt;
            pausedAt = null;
        }
        if (from != null) {
            connection.resubscribe(this, from);
        }
    }

    /** The state for diagnostics: the window, what is unacked, and where the engine side stands. */
    @Override
    public String toString() {
        // The engine side is read first and outside this monitor: it takes its feed's, which is taken before this one.
        String engineSide = String.valueOf(engineSubscription);
        synchronized (this) {
            return "subscription '" + key + "' to " + channel.value() + " (" + ack + (ack.acknowledged() ? ", window " + window
                    + ", " + unacked.size() + " unacked" + (unacked.isEmpty() ? "" : " from " + unacked.peekFirst())
                    + (pausedAt != null ? ", paused after " + pausedAt : "")
                    + (windowWaiters != null ? ", " + windowWaiters.size() + " waiting for room" : "") : "")
                    + ", cursor " + cursor() + ", engine side " + engineSide + ")";
        }
    }

    void close() {
        Subscription s = engineSubscription;
        if (s != null) {
            s.close();
        }
        synchronized (this) {
            windowWaiters = null;
            pausedAt = null;
        }
    }
}
