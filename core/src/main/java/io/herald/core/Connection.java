package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.InvalidChannelException;
import io.herald.api.InvalidRequestException;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.SessionSubscription;
import io.herald.api.StoreException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live link of a {@link ClientSession}: an SSE stream, a STOMP or Bayeux WebSocket, a long poll. Every
 * protocol needs the same things, so they live here once and a transport is a codec: it decodes frames into
 * calls ({@link #subscribe}, {@link #unsubscribe}, {@link #acknowledge}, {@link #close}) and encodes what
 * {@link #drain} hands it.
 *
 * <p>The connection holds one bounded {@link Outbox} that all its subscriptions fill (G6). When the outbox
 * goes from empty to non-empty it calls {@link Wire#writable()}; the transport's one writer then drains it.
 * A live message that does not fit cuts the connection off: it stops taking messages, the transport flushes
 * what is queued and ends, and the client resumes from its last position. Timers (heartbeats, poll
 * timeouts) run on the node's shared scheduler and are cancelled on close. Joins and leaves are reported to
 * the {@link ConnectionListener}s (presence).
 *
 * <p>Thread-safe; {@link #drain} is for one writer at a time.
 */
public final class Connection {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    /** What the transport does for its connection; called from engine threads, so never blocking. */
    public interface Wire {
        /** Items were queued: run the writer soon; it calls {@link #drain}. */
        void writable();

        /** The connection was cut off (too slow, or its store became unreachable): flush what is queued, end. */
        void cutOff();

        /** A heartbeat is due (see {@link #heartbeats}). */
        default void heartbeat() {
        }

        /**
         * Whether an acknowledged subscription whose message finds the outbox full pauses, as at a full window
         * (its backlog stays in history and it reads on from there once the writer made room), instead of cutting
         * the whole connection off. For a transport that notices an absent client by itself (Bayeux's
         * max-interval): the connection, its patterns among them, then survives a burst of catch-up that filled
         * its outbox; a pattern has no cursor, so a cut-off loses what its channels publish until the client is back.
         */
        default boolean pausesWhenFull() {
            return false;
        }

        /**
         * A pattern's message found the outbox full, or the connection sealed or closed (a publish under way as
         * the pattern ended reaches it still). Return {@code true} when the transport brings it (and what follows
         * on its channel) from history itself, as an acknowledging Bayeux client's per-channel subscription does:
         * the message then counts as taken and the connection is not cut off. Called on the engine's threads
         * while a channel's feed is locked: record, never block or subscribe here.
         */
        default boolean patternOverflow(ConnectionSubscription pattern, Message message) {
            return false;
        }
    }

    /** What the writer receives from {@link #drain}, in queue order. */
    public interface Items {
        void message(ConnectionSubscription subscription, Message message, boolean redelivered);

        void gap(ConnectionSubscription subscription, Gap gap);
    }

    private final SessionService sessions;
    private final ClientSession session;
    private final Wire wire;
    private final boolean keepCursors;
    final Outbox outbox;
    private final SubscriptionTable subscriptions = new SubscriptionTable();
    /** Made on the first timer: most connections (Bayeux, STOMP without heartbeats) never start one. Guarded by membership. */
    private List<ScheduledFuture<?>> timers;
    private static final VarHandle CUT_OFF;
    private static final VarHandle CLOSED;
    // Flags set once, by compare-and-set through the handles above: two AtomicBooleans would be 32 bytes more.
    private volatile boolean cutOff;
    private volatile boolean closed;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CUT_OFF = lookup.findVarHandle(Connection.class, "cutOff", boolean.class);
            CLOSED = lookup.findVarHandle(Connection.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /**
     * Held by a subscribe, an unsubscribe and {@link #close()} while they change this connection's subscriptions:
     * a close that comes while a subscribe is half done (another connection took the session over at that
     * instant) waits for it and then ends it too, instead of leaving it registered with its backlog held.
     * Reentrant, so a transport that closes from inside a subscribe's callbacks does not wait on itself.
     */
    private final Object membership = new Object();

    Connection(SessionService sessions, ClientSession session, Wire wire, int queue, boolean keepCursors) {
        this.sessions = sessions;
        this.session = session;
        this.wire = wire;
        this.keepCursors = keepCursors;
        this.outbox = new Outbox(queue, wire::writable);
    }

    public ClientSession session() {
        return session;
    }

    Wire wire() {
        return wire;
    }

    /**
     * Subscribes under {@code key}. For a durable session the subscription is recorded in the store first,
     * with its starting cursor, so that it outlives the connection. A subscription the session already has
     * under {@code key} resumes from its stored cursor, redelivering what was unacked; for one without
     * acknowledgement a {@code resume} position the client holds itself wins over the stored cursor.
     *
     * @throws InvalidChannelException for a reserved channel, or an acknowledged subscription to a pattern
     * @throws io.herald.api.AccessDeniedException if the authorizer refuses
     * @throws InvalidRequestException if {@code key} is taken on this connection, or the window is below 1
     * @throws StoreException if the store or broker cannot be reached; nothing stays subscribed
     */
    public ConnectionSubscription subscribe(String key, ChannelName channel, Resume resume, AckMode ack, int window) {
        return subscribe(key, channel, resume, ack, window, false, null);
    }

    /**
     * Subscribes as {@link #subscribe(String, ChannelName, Resume, AckMode, int)} does and, for a durable
     * session's exact channel on a node with a {@link io.herald.api.SubscriptionBacklog}, keeps the messages in
     * that backlog under {@code backlog} (the backlog's default name for this session and key when
     * {@code null}) from now until the subscription ends, so a client away for longer than history's retention
     * still gets every message. On a node without a backlog it is the same as without.
     *
     * @throws InvalidRequestException also for a backlog name the backlog refuses; nothing was created
     */
    public ConnectionSubscription subscribeKept(String key, ChannelName channel, Resume resume, AckMode ack, int window,
                                                String backlog) {
        return subscribe(key, channel, resume, ack, window, true, backlog);
    }

    private ConnectionSubscription subscribe(String key, ChannelName channel, Resume resume, AckMode ack, int window,
                                             boolean kept, String requestedBacklog) {
        synchronized (membership) {
            if (closed) {
                throw new InvalidRequestException(session.id(), "cannot subscribe '" + key + "' to " + channel.value()
                        + ": this connection of the session is closed");
            }
            return subscribeOpen(key, channel, resume, ack, window, kept, requestedBacklog);
        }
    }

    private ConnectionSubscription subscribeOpen(String key, ChannelName channel, Resume resume, AckMode ack, int window,
                                                 boolean kept, String requestedBacklog) {
        if (ack.acknowledged() && channel.isPattern()) {
            throw new InvalidChannelException(channel.value(), "acknowledged delivery needs an exact channel, not a pattern");
        }
        if (ack.acknowledged() && window < 1) {
            throw new InvalidRequestException(session.id(), "the unacked window of subscription '" + key + "' must be at least 1, got " + window);
        }
        Engine engine = sessions.engine();
        engine.checkSubscribe(session.principal(), channel);
        if (subscriptions.get(key) != null) {
            throw new InvalidRequestException(session.id(), "subscription '" + key + "' already exists on this connection");
        }
        SessionBacklogs backlogs = sessions.backlogs();
        String backlog = kept ? backlogs.name(session, key, channel, requestedBacklog) : null;
        SessionSubscription stored = session.durable() ? storedSubscription(key, channel) : null;
        Position resumedCursor = stored != null && ack.acknowledged() ? stored.cursor() : null;
        Set<Position> redeliver = stored != null ? Set.copyOf(stored.unacked()) : Set.of();
        Resume from = resume;
        if (stored != null && stored.cursor() != null && (ack.acknowledged() || !(resume instanceof Resume.After))) {
            from = Resume.after(stored.unacked().isEmpty() ? stored.cursor() : before(stored.unacked().get(0)));
        }
        boolean plain = !channel.isPattern() && !ack.acknowledged() && subscriptions.plain(channel) == null;
        Position start = from instanceof Resume.After after ? after.position() : null;
        ConnectionSubscription subscription = new ConnectionSubscription(this, key, channel, ack, window, plain, start,
                resumedCursor, redeliver, backlog);
        if (!subscriptions.add(subscription)) {
            // Membership is held, so nothing else subscribed meanwhile: only a plain subscription can be refused here.
            throw new InvalidRequestException(session.id(), "subscription '" + key + "' already exists on this connection");
        }
        boolean opened = false;
        try {
            if (backlog != null) {
                // Before registering: whatever is published from the registration on is kept.
                backlogs.open(session.id(), key, backlog, channel);
                opened = true;
                if (stored != null && stored.cursor() != null) {
                    backlogs.release(backlog, stored.unacked().isEmpty() ? stored.cursor() : before(stored.unacked().get(0)));
                }
            }
            Subscription registered = engine.subscribe(session.principal(), channel, from, subscription);
            subscription.engineSubscription = registered;
            if (subscriptions.get(key) != subscription) {
                // Closed from inside this subscribe (a transport's cut-off callback during the replay), before
                // the registration existed: close ended the rest, the registration is ours to end.
                registered.close();
                throw new InvalidRequestException(session.id(), "cannot subscribe '" + key + "' to " + channel.value()
                        + ": the connection closed while subscribing");
            }
            if (start == null) {
                subscription.moveTo(registered.registeredAt());
            }
            if (session.durable() && stored == null) {
                sessions.store().subscribe(session.id(), new SessionSubscription(key, channel, ack.acknowledged(),
                        subscription.cursor(), List.of()));
            }
        } catch (RuntimeException e) {
            subscription.close();
            forget(subscription);
            if (opened) {
                if (stored == null) {
                    backlogs.forget(session.id(), key);
                } else {
                    backlogs.close(backlog);
                }
            }
            throw e;
        }
        sessions.joined(this, channel);
        return subscription;
    }

    private SessionSubscription storedSubscription(String key, ChannelName channel) {
        SessionSubscription stored = sessions.store().find(session.id())
                .map(r -> r.subscriptions().get(key)).orElse(null);
        return stored != null && stored.channel().equals(channel) ? stored : null;
    }

    private static Position before(Position p) {
        return new Position(p.epoch(), Math.max(0, p.offset() - 1));
    }

    /**
     * Ends the subscription under {@code key} on this connection; with {@code forget}, a durable session
     * forgets it too (otherwise it stays for the session's next connection).
     *
     * @return whether there was one
     */
    public boolean unsubscribe(String key, boolean forget) {
        synchronized (membership) {
            return unsubscribeHeld(key, forget);
        }
    }

    private boolean unsubscribeHeld(String key, boolean forget) {
        ConnectionSubscription subscription = subscriptions.get(key);
        if (subscription == null) {
            if (forget && session.durable()) {
                sessions.backlogs().forget(session.id(), key);
                return sessions.store().unsubscribe(session.id(), key);
            }
            return false;
        }
        subscription.close();
        forget(subscription);
        if (session.durable()) {
            if (forget) {
                sessions.store().unsubscribe(session.id(), key);
            } else {
                keepCursor(subscription);
            }
        }
        if (subscription.backlog != null) {
            if (forget) {
                sessions.backlogs().forget(session.id(), key);
            } else {
                sessions.backlogs().close(subscription.backlog);
            }
        }
        sessions.left(this, subscription.channel());
        return true;
    }

    /**
     * Acknowledges a message of the subscription under {@code key}.
     *
     * @return how many unacked messages the ack covered; 0 for an unknown key or position (acking twice is harmless)
     */
    public int acknowledge(String key, Position position, boolean cumulative) {
        ConnectionSubscription subscription = subscriptions.get(key);
        if (subscription == null || !subscription.ackMode().acknowledged()) {
            return 0;
        }
        int removed = subscription.acknowledge(position, cumulative);
        if (removed > 0 && session.durable()) {
            sessions.store().acknowledge(session.id(), key, position, cumulative);
        }
        if (removed > 0 && subscription.backlog != null) {
            sessions.backlogs().release(subscription.backlog, subscription.settled());
        }
        return removed;
    }

    /** The subscription under {@code key}, or {@code null}. */
    public ConnectionSubscription subscription(String key) {
        return subscriptions.get(key);
    }

    /** Every subscription of this connection. */
    public Collection<ConnectionSubscription> subscriptions() {
        return subscriptions.all();
    }

    /**
     * The message the next {@link #drain} hands over first, left queued; {@code null} when nothing is queued or
     * the next item is a gap notice. Lets a transport that bounds the size of its responses stop before a message
     * that would not fit. Call it from the thread that drains.
     */
    public Message peekMessage() {
        Object item = outbox.peek();
        if (item instanceof Message message) {
            return message;
        }
        return item instanceof ConnectionSubscription.Delivery d ? d.message() : null;
    }

    /**
     * Hands up to {@code max} queued items to {@code items}, oldest first, moving each subscription's cursor
     * past an item once the callback for it returns; for acknowledged subscriptions of a durable session,
     * records each delivery in the store.
     *
     * @return how many items were drained
     */
    public int drain(int max, Items items) {
        // Items are taken one at a time rather than copied into a list first: a list kept per connection would
        // take a reference store per item into a long-lived object (a GC card to refine per connection and
        // message), and a fresh one would be garbage per wake-up.
        int n = 0;
        Object item;
        // Each cursor moves once its item is handed over, so during a callback the cursors say what the
        // client had before that item: what an event id written with it must carry.
        while (n < max && (item = outbox.poll()) != null) {
            n++;
            if (item instanceof Message message) {
                ConnectionSubscription subscription = subscriptions.plain(message.channel());
                if (subscription != null) {
                    items.message(subscription, message, false);
                    subscription.moveTo(message.position());
                    releaseWritten(subscription, message);
                }
            } else if (item instanceof ConnectionSubscription.Delivery d) {
                // Not for a subscription that ended while its message was queued: the session's record of the
                // key is its successor's (a transport that resubscribes the key on another connection).
                if (session.durable() && d.subscription().ackMode().acknowledged() && !d.redelivered()
                        && subscriptions.get(d.subscription().key()) == d.subscription()) {
                    recordDelivery(d);
                }
                items.message(d.subscription(), d.message(), d.redelivered());
                d.subscription().moveTo(d.message().position());
                if (!d.subscription().ackMode().acknowledged()) {
                    releaseWritten(d.subscription(), d.message());
                }
            } else if (item instanceof ConnectionSubscription.Notice notice) {
                items.gap(notice.subscription(), notice.gap());
                notice.subscription().moveTo(notice.gap().resumeAfter());
            }
        }
        return n;
    }

    /** Without acknowledgement, a message is done with once written: its backlog may let it go. */
    private void releaseWritten(ConnectionSubscription subscription, Message message) {
        if (subscription.backlog != null) {
            sessions.backlogs().release(subscription.backlog, message.position());
        }
    }

    private void recordDelivery(ConnectionSubscription.Delivery d) {
        try {
            sessions.store().delivered(session.id(), d.subscription().key(), d.message().position(), Integer.MAX_VALUE);
        } catch (RuntimeException e) {
            // The connection's own window still holds it; only a drop before the store is back loses the record.
            LOG.warn("cannot record delivery of {} to session {}: {}", d.message().position(), session.id(), e.getMessage());
        }
    }

    /** Items queued now. */
    public int queued() {
        return outbox.size();
    }

    public boolean isIdle() {
        return outbox.isEmpty();
    }

    /** Whether the connection was cut off. */
    public boolean isCutOff() {
        return cutOff;
    }

    /**
     * Calls {@link Wire#heartbeat()} every {@code every} until the connection closes. The ticks of all connections
     * with the same period fall on a common grid (an eighth of the period, at most a second, of the monotonic
     * clock), the first one never later than {@code every} after this call: the timer thread then runs them in
     * one wake-up per grid step instead of one per connection (10,000 SSE streams at 15 s were 667 wake-ups a
     * second, each preempting the writer thread on a busy core, issue 14).
     */
    public void heartbeats(Duration every) {
        long period = Math.max(1, every.toMillis()) * 1_000_000L;
        long grid = Math.max(1_000_000L, Math.min(1_000_000_000L, period / 8));
        long now = System.nanoTime();
        long due = now + period;
        long first = Math.max(1, due - Math.floorMod(due, grid) - now);
        track(sessions.threads().scheduler().scheduleAtFixedRate(wire::heartbeat, first, period, TimeUnit.NANOSECONDS));
    }

    /** Runs {@code task} once after {@code delay} on the shared timer, unless the connection closes first. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return track(sessions.threads().scheduler().schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS));
    }

    private ScheduledFuture<?> track(ScheduledFuture<?> timer) {
        synchronized (membership) {
            if (timers == null) {
                timers = new ArrayList<>(1);
            }
            timers.add(timer);
        }
        if (closed) {
            timer.cancel(false);
        }
        return timer;
    }

    /**
     * Stops taking messages: every subscription ends on this node, and what is queued can still be drained.
     * A transport calls it to end a stream after flushing.
     */
    public void seal() {
        outbox.seal();
        for (ConnectionSubscription subscription : subscriptions.all()) {
            subscription.close();
        }
    }

    void cutOff() {
        if (CUT_OFF.compareAndSet(this, false, true)) {
            seal();
            wire.cutOff();
        }
    }

    /** An acknowledged subscription paused by a full window resumes from {@code after}, reading history. */
    void resubscribe(ConnectionSubscription subscription, Position after) {
        if (closed || outbox.isSealed() || subscriptions.get(subscription.key()) != subscription) {
            return;
        }
        try {
            subscription.engineSubscription = sessions.engine().subscribe(session.principal(), subscription.channel(),
                    Resume.after(after), subscription);
        } catch (RuntimeException e) {
            LOG.warn("cannot resume {} of session {} after {}: {}", subscription.key(), session.id(), after, e.getMessage());
            cutOff();
        }
    }

    /**
     * Ends the connection: subscriptions end on this node (a durable session keeps them, with their cursors,
     * for its next connection), timers stop, queued items are dropped, leaves are reported. Idempotent.
     */
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        List<ScheduledFuture<?>> started;
        synchronized (membership) {
            started = timers;
            timers = null;
        }
        if (started != null) {
            started.forEach(t -> t.cancel(false));
        }
        outbox.close();
        synchronized (membership) {
            endSubscriptions();
        }
        if (session.durable()) {
            sessions.disconnected(session.id());
        }
    }

    private void endSubscriptions() {
        for (ConnectionSubscription subscription : subscriptions.all()) {
            subscription.close();
            if (session.durable()) {
                keepCursor(subscription);
            }
            if (subscription.backlog != null) {
                sessions.backlogs().close(subscription.backlog);
            }
            sessions.left(this, subscription.channel());
        }
        subscriptions.clear();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private void keepCursor(ConnectionSubscription subscription) {
        Position cursor = subscription.cursor();
        if (!keepCursors || cursor == null || subscription.channel().isPattern()) {
            return;
        }
        try {
            sessions.store().advance(session.id(), subscription.key(), cursor);
        } catch (RuntimeException e) {
            LOG.warn("cannot keep the cursor {} of {} in session {}: {}", cursor, subscription.key(), session.id(), e.getMessage());
        }
    }

    private void forget(ConnectionSubscription subscription) {
        subscriptions.remove(subscription);
    }
}
