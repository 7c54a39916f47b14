package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.core.ClientSession;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Bayeux client id on this node: the codec over one core {@link Connection} of the client's durable
 * {@link ClientSession}. The connection outlives the HTTP requests and WebSockets the client comes through; its
 * outbox holds what arrives between two {@code /meta/connect}.
 *
 * <p>Where deliveries travel. A client that acknowledges (the CometD acknowledgement extension, or Herald's
 * position acks, {@code ext.herald.ack}) gets them in connect replies only, since its acknowledgements count
 * those. A client that acknowledges nothing and whose last connect came over a WebSocket gets them pushed on that
 * socket as they arrive, each push a message array of its own outside any reply, as CometD's websocket transport
 * does: no connect round trip per batch. One push is in flight at a time; what arrives meanwhile goes in the
 * next one, and a socket that stops taking frames lets the outbox fill until the connection is cut off (G6) and
 * the client resumes from its cursors. Over HTTP every delivery travels in a connect reply. An acknowledging
 * client is not cut off for a full outbox: its acknowledged subscriptions pause and read on from history, and its
 * patterns note the channels that overflowed for {@link PatternChannels} ({@link #pausesWhenFull},
 * {@link #patternOverflow}); a cut-off would end its patterns, which have no cursor to resume from.
 *
 * <p>A connect with nothing queued is held up to the timeout; the first message queued, a newer connect, a
 * disconnect or the timeout releases it (the server's sweep answers it within a tick of its time,
 * {@link BayeuxServer#holdTickMillis}). A client that sends no connect for {@code max-interval} is released by
 * this node ({@link #detach}): the core connection closes, keeping each subscription's cursor in the session,
 * and the client's next request, here or on another node, resumes the session from the store (G3).
 *
 * <p>One copy per client per publish, and rewinds that queued messages cannot overtake: {@link DeliveryFilter}.
 * Thread-safe; drains and writes happen under
 * the client's lock, so a client's responses leave in order.
 */
final class BayeuxClient implements Connection.Wire, Connection.Items {

    /** Positions one connect may acknowledge; a client has no more exact channels than that in practice. */
    static final int MAX_ACKED_CHANNELS = 1000;

    /**
     * A {@code /meta/connect} waiting for something to deliver. Its reply, and the replies to the messages before
     * it in the same request, wait as JSON bytes: as Jackson trees they weigh about 700 bytes a client, and an
     * idle client always has a connect held. They are read back once, when the connect is answered. The reply
     * waits without the client id and the advice, the same in every connect reply: they are added when it is answered
     * (110 bytes less a client).
     */
    private static final class Held {
        final BayeuxLink link;
        private final byte[] before;
        private final byte[] reply;
        /** When it is answered empty, in {@link System#nanoTime()}. */
        final long deadline;

        Held(BayeuxLink link, List<ObjectNode> before, ObjectNode reply, long deadline) {
            this.link = link;
            this.before = before.isEmpty() ? null : BayeuxCodec.tree(before);
            this.reply = BayeuxCodec.tree(reply);
            this.deadline = deadline;
        }

        List<ObjectNode> before() {
            return before == null ? List.of() : BayeuxCodec.objects(before);
        }

        ObjectNode reply() {
            return BayeuxCodec.objects(reply).get(0);
        }
    }

    private final BayeuxServer server;
    private final String id;
    volatile ClientSession session;
    final BayeuxExtension.Context context;
    /** The CometD acknowledgement extension is on: exact channels are subscribed with a cumulative ack window. */
    private volatile boolean ack;
    /** Herald's position acks ({@code ext.herald.ack}) came on a connect: deliveries stay in connect replies. */
    private volatile boolean positionAcks;
    private volatile Connection connection;

    /**
     * The connect held now, or null. Changed under this client's lock; volatile so that the server's sweep
     * ({@link #releaseIfDue}) looks at every client's deadline without taking each lock. No timer per held
     * connect: a scheduled task and its adapter would be about 100 bytes a client, and an idle client always has
     * a connect held.
     */
    private volatile Held held;
    /** The WebSocket deliveries are pushed on (the link of the last connect), or null: they wait for a connect. */
    private BayeuxLink pushTo;
    /** A push was handed to the socket and has not left yet. */
    private boolean pushing;
    private boolean detached;
    private boolean handshaken;
    /** Gap notices for the next response; made with the first (most clients never get one). */
    private List<byte[]> notices = List.of();
    private List<byte[]> sink;
    /** Bytes of the deliveries in {@link #sink}, with a separator each. */
    private int sinkBytes;
    /** The last message encoded to see whether it fits, so that handing it over does not look it up again. */
    private Message peeked;
    private byte[] peekedBytes;
    /** Ack extension: the last batch number sent, and per unacked batch the last position of each acked subscription. */
    private long batch;
    /** Made with the first batch: only clients of the acknowledgement extension have any. */
    private java.util.ArrayDeque<Batch> batches;
    private Map<String, Position> batchPositions;
    private final DeliveryFilter filter = new DeliveryFilter();
    private final PatternChannels patternChannels;
    private volatile long lastSeen = System.nanoTime();
    private volatile long lastChecked = System.nanoTime();
    private volatile String connectionType = "none";

    BayeuxClient(BayeuxServer server, ClientSession session, String remoteAddress) {
        this.server = server;
        this.id = session.id();
        this.session = session;
        this.context = new BayeuxExtension.Context(session.id(), session.principal(), remoteAddress);
        this.patternChannels = new PatternChannels(server, this);
    }

    String id() {
        return id;
    }

    boolean ack() {
        return ack;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Opens the core connection; the session's stored subscriptions resume from their cursors, and an acknowledged
     * one redelivers what was not acked.
     */
    void open(boolean handshake) {
        open(handshake, true);
    }

    /**
     * As {@link #open(boolean)}; with {@code patternsReset} false, the patterns are not reported reset: the
     * connection before this one kept collecting for them until these were subscribed ({@link #restart}).
     */
    private void open(boolean handshake, boolean patternsReset) {
        connection = server.sessions.connect(session, this, true);
        synchronized (this) {
            handshaken = handshake;
        }
        for (var stored : session.record().subscriptions().values()) {
            ack |= stored.acknowledged();
        }
        List<io.herald.api.SessionSubscription> stored = new ArrayList<>(session.record().subscriptions().values());
        // Exact channels first: a pattern's channels resume from their own acknowledged subscriptions, which must be
        // there before the pattern delivers anything (see PatternChannels).
        stored.sort(java.util.Comparator.comparing(s -> s.channel().isPattern()));
        for (var subscription : stored) {
            // Live resumes from the stored cursor for an exact channel; a pattern has none to resume from.
            server.subscribe(this, subscription.key(), subscription.channel(), null);
            if (patternsReset && subscription.channel().isPattern()) {
                synchronized (this) {
                    if (notices.isEmpty()) {
                        notices = new ArrayList<>(1);
                    }
                    notices.add(BayeuxDeliveries.gap(Gap.patternReset(subscription.channel())));
                }
            }
        }
    }

    /** The handshake (or a connect) carried the acknowledgement extension. */
    void enableAck() {
        ack = true;
    }

    /**
     * The ack extension's {@code ext.ack} of a connect: every batch up to {@code acked} reached the client and is
     * acknowledged in the session. A batch sent after it that the client did not get (its reply was lost, or two
     * connects overlapped) is sent again: the core connection restarts from the session, which redelivers every
     * unacked message in order before newer ones.
     */
    void acknowledge(long acked) {
        boolean lost;
        synchronized (this) {
            if (acked > batch) {
                // A number this object never sent: a batch of the one before it for this client id (the node let
                // the client go and found it in the store again, with no handshake to restart the client's count).
                // It acknowledges nothing here, and numbering goes on after it: counting from 1 again, the client's
                // stale number acknowledged this object's first batches unread, so a lost reply was not resent.
                batch = acked;
            }
            if (batches == null) {
                return;
            }
            // Batches are numbered in the order they were sent: those acknowledged are at the head. Most connects
            // acknowledge one batch, whose positions need no merging.
            Map<String, Position> last = null;
            while (!batches.isEmpty() && batches.peekFirst().number() <= acked) {
                Map<String, Position> done = batches.pollFirst().last();
                if (last == null) {
                    last = done;
                } else {
                    last.putAll(done); // the later batch's position wins; both maps are this object's own
                }
            }
            if (last != null) {
                for (var entry : last.entrySet()) {
                    connection.acknowledge(entry.getKey(), entry.getValue(), true);
                }
            }
            lost = !batches.isEmpty();
            batches.clear();
        }
        if (lost) {
            server.stats.redelivered.increment();
            restart();
        }
    }

    /**
     * Herald's Faye extension: {@code ext.herald.ack} on a connect, the position the client holds on each exact
     * channel. The session keeps it as the channel's cursor; a channel written past it (a reply lost with its
     * connection) replays from it, so the client misses nothing, and its extension drops what it had already.
     */
    void acknowledgePositions(com.fasterxml.jackson.databind.JsonNode positions) {
        positionAcks = true;
        var fields = positions.fields();
        int seen = 0;
        while (fields.hasNext() && seen++ < MAX_ACKED_CHANNELS) {
            var entry = fields.next();
            ConnectionSubscription subscription = connection.subscription(entry.getKey());
            Position acked = BayeuxSubscriptions.position(entry.getValue().asText());
            if (subscription == null || acked == null || subscription.channel().isPattern()
                    || subscription.ackMode().acknowledged()) {
                continue;
            }
            Position written = subscription.cursor();
            if (written != null && written.sameEpoch(acked) && acked.offset() < written.offset()) {
                server.stats.redelivered.increment();
                server.subscribe(this, subscription.channel(), acked);
            }
            try {
                server.sessions.store().advance(id, subscription.key(), acked);
            } catch (RuntimeException e) {
                // The cursor stays where the connection will keep it on close; the next connect tries again.
            }
        }
    }

    /**
     * Replaces the core connection by a new one resumed from the session (cursors, unacked windows), for a client
     * of the acknowledgement extension. The old connection's channel subscriptions end first, keeping their
     * cursors for the new ones; its patterns, which have no cursor, keep collecting until the new connection's
     * are subscribed. What they queued meanwhile is handed over ({@link PatternChannels#handOverQueued}), and a
     * message that reaches them after that, from a publish already under way, finds the old connection sealed and
     * is noted as a pattern overflow, taken by the new connection: a channel the patterns had not delivered from
     * yet loses nothing to the swap, so the patterns are not reported reset.
     */
    private void restart() {
        synchronized (this) {
            if (detached) {
                return;
            }
            Connection old = connection;
            for (ConnectionSubscription subscription : List.copyOf(old.subscriptions())) {
                if (!subscription.channel().isPattern()) {
                    old.unsubscribe(subscription.key(), false);
                }
            }
            java.util.Optional<ClientSession> resumed = server.sessions.resume(id, session.principal());
            if (resumed.isEmpty()) {
                detached = true;
                old.close();
                return;
            }
            session = resumed.get();
            filter.clear();
            boolean wasHandshaken = handshaken;
            try {
                open(false, false);
                old.seal();
                patternChannels.handOverQueued(old, connection);
            } finally {
                handshaken = wasHandshaken;
                old.close();
            }
        }
    }

    /**
     * Whether the session still lives in the store, checked at most every quarter of the TTL as the client keeps
     * connecting: {@code false} once it was ended or expired elsewhere (another node, an admin). Core renews the
     * session while this node's connection of it lives; this only notices that it is gone.
     */
    boolean sessionLives() {
        long now = System.nanoTime();
        if (now - lastChecked < server.sessions.ttl().toNanos() / 4) {
            return true;
        }
        lastChecked = now;
        try {
            return server.sessions.store().find(id).isPresent();
        } catch (RuntimeException e) {
            return true; // a store outage is not the client's doing: it keeps its session meanwhile
        }
    }

    /** A handshake resumed this client: its next connect is answered at once, as after any handshake. */
    synchronized void handshaken() {
        handshaken = true;
        lastSeen = System.nanoTime();
    }

    /** Marks the client active; {@code false} once this node released it (look it up again). */
    synchronized boolean touch() {
        lastSeen = System.nanoTime();
        return !detached;
    }

    /**
     * {@code channel} replays from {@code after}, having been written up to {@code written} (or null): see
     * {@link DeliveryFilter#rewind}.
     */
    synchronized void replaying(ChannelName channel, Position after, Position written) {
        filter.rewind(channel, after, written);
    }

    /**
     * A {@code /meta/connect}: answered at once (with what is queued) when {@code hold} is zero, the client has
     * just handshaken, or something is queued; otherwise held up to {@code hold}. An older held connect is
     * answered now, empty.
     */
    void connect(BayeuxLink link, List<ObjectNode> before, ObjectNode reply, Duration hold) {
        connectionType = link.type();
        boolean holding;
        synchronized (this) {
            lastSeen = System.nanoTime();
            Held older = held;
            held = null;
            if (older != null) {
                respond(older, false);
            }
            // Pushing needs a socket, and a client that acknowledges nothing: acknowledgements count connect replies.
            pushTo = link.pushes() && !ack && !positionAcks && server.settings.websocketPush() ? link : null;
            boolean immediate = hold.isZero() || handshaken || !notices.isEmpty() || connection.queued() > 0 || detached;
            handshaken = false;
            holding = !immediate;
            if (holding) {
                held = new Held(link, before, reply, System.nanoTime() + hold.toNanos());
            } else {
                // Answered at once (with acks, mostly so: messages came while the client was reading the last
                // reply), so the reply need not be kept as JSON bytes and read back, as a held one is.
                respond(link, before, reply, true, null);
            }
        }
        if (!holding) {
            if (link.pushes()) {
                link.holding(this); // a socket pushed on tells the client when it closes
            }
            if (connection.isCutOff()) {
                server.detach(this); // what was queued went out; the next connect resumes through history
            }
            return;
        }
        link.holding(this);
    }

    /**
     * Answers the held connect empty if its time is up at {@code now} ({@link System#nanoTime()}); the server's
     * sweep calls this for every client a few times a second (see {@link BayeuxServer}).
     */
    void releaseIfDue(long now) {
        Held due = held;
        if (due == null || now - due.deadline < 0) {
            return;
        }
        synchronized (this) {
            // Answered under the lock: a connect that replaced it meanwhile keeps its own time.
            if (held != due || detached) {
                return;
            }
            held = null;
            respond(due, true);
        }
        if (connection.isCutOff()) {
            server.detach(this);
        }
    }

    /** The link went away (client gone): forget its held connect and stop pushing on it, draining nothing into it. */
    synchronized void abandon(BayeuxLink link) {
        if (pushTo == link) {
            pushTo = null;
        }
        if (held != null && held.link == link) {
            held = null;
            lastSeen = System.nanoTime();
        }
    }

    /** Answers the held connect, if any, with what is queued. */
    void releaseHeld() {
        synchronized (this) {
            Held h = held;
            if (h == null) {
                return;
            }
            boolean open = h.link.isOpen();
            List<byte[]> deliveries = open ? drainQueued(h.link.maxDeliveryBytes()) : List.of();
            if (deliveries.isEmpty() && open && !connection.isCutOff()) {
                // A late wake-up: what it was for went out with the previous response. Answered empty, the
                // client would come straight back for the same messages it is already waiting for, a round trip
                // each time (a catch-up spread over several responses cost one empty reply per resume).
                batchPositions = null;
                return;
            }
            held = null;
            answer(h.link, h.before(), h.reply(), deliveries, null);
        }
        if (connection.isCutOff()) {
            server.detach(this);
        }
    }

    /**
     * Releases the client on this node if it holds no connect and was not heard from for {@code limitNanos};
     * checked under the lock that {@link #touch} takes, so a request that just found it keeps it.
     */
    boolean detachIfIdle(long limitNanos, ObjectNode advice) {
        synchronized (this) {
            if (held != null || System.nanoTime() - lastSeen <= limitNanos) {
                return false;
            }
        }
        detach(advice);
        return true;
    }

    /** The connection type of the last connect: {@code long-polling}, {@code websocket}, ... */
    String connectionType() {
        return connectionType;
    }

    /** Whether a connect is held now. */
    synchronized boolean isHolding() {
        return held != null;
    }

    /** When the client was last heard from or answered, in {@link System#nanoTime()}. */
    long lastSeen() {
        return lastSeen;
    }

    /**
     * Lets go of the client on this node: the core connection closes (a durable session keeps cursors and
     * subscriptions), then a held connect is answered with {@code advice}. Idempotent.
     *
     * <p>In that order, and under the lock {@link #touch} takes: the answer sends the client straight back, and a
     * request that finds this object detached resumes the session from the store. Answered first, the client's next
     * connect could resume it before the connection had kept its cursors, from where the subscriptions stood at the
     * connection's start, and a client without acknowledgements got everything this connection had written a
     * second time (ReceiveThroughputBench: CometD's client handled a channel's first 411 messages twice after a
     * cut-off).
     */
    void detach(ObjectNode advice) {
        synchronized (this) {
            if (detached) {
                return;
            }
            detached = true;
            pushTo = null;
            Held h = held;
            held = null;
            Connection c = connection;
            if (c != null) {
                if (ack) {
                    patternChannels.keepQueued(c);
                }
                c.close();
            }
            if (h != null) {
                respond(h, false, advice);
            }
        }
    }

    /**
     * The writer, after something was queued: pushes it on the client's WebSocket, or answers the held connect
     * with it.
     */
    private void deliverQueued() {
        boolean pushed;
        synchronized (this) {
            pushed = pushTo != null && !detached && push();
        }
        if (!pushed) {
            releaseHeld();
        } else if (connection.isCutOff()) {
            server.detach(this); // what was queued went out; the next connect resumes through history
        }
    }

    /**
     * Pushes everything queued on {@link #pushTo}, unless a push is still in flight (its completion comes back
     * for the rest). Holds the lock.
     *
     * @return false when the socket is gone: delivery falls back to connect replies
     */
    private boolean push() {
        if (!pushTo.isOpen()) {
            pushTo = null;
            return false;
        }
        if (pushing) {
            return true;
        }
        List<byte[]> deliveries = drainQueued(pushTo.maxDeliveryBytes());
        batchPositions = null;
        if (deliveries.isEmpty()) {
            return true;
        }
        pushing = true;
        server.stats.delivered.add(deliveries.size());
        server.stats.pushes.increment();
        pushTo.push(deliveries, this::pushed);
        return true;
    }

    /** A push left (or failed); what was queued meanwhile goes next. May run inside {@link #push}. */
    private void pushed() {
        boolean more;
        synchronized (this) {
            pushing = false;
            more = !detached && (!notices.isEmpty() || connection.queued() > 0);
        }
        if (more) {
            writable();
        }
    }

    /**
     * Hands what is queued (notices first) to this client's filter and encoder, up to {@code maxBytes} of
     * deliveries (see {@link BayeuxLink#maxDeliveryBytes}); the rest stays queued for the next response. Holds the
     * lock.
     */
    private List<byte[]> drainQueued(int maxBytes) {
        List<byte[]> deliveries = new ArrayList<>(notices);
        sinkBytes = 0;
        for (byte[] notice : notices) {
            sinkBytes += notice.length + 1;
        }
        notices = List.of();
        sink = deliveries;
        batchPositions = ack ? new java.util.HashMap<>() : null;
        try {
            // A pattern's channel that got its acknowledged subscription during this drain replayed into the
            // outbox meanwhile: that goes in the same response.
            int rounds = 0;
            do {
                // One item at a time, looking at the next message first: a response passes the budget only by
                // a lone delivery larger than it.
                Message next;
                while ((next = connection.peekMessage()) == null || deliveries.isEmpty()
                        || sinkBytes + encoded(next).length + 1 <= maxBytes) {
                    if (connection.drain(1, this) == 0) {
                        break;
                    }
                }
                // The channels whose pattern messages overflowed get their subscriptions once nothing is queued:
                // a channel's earlier copies still queued would go out before them unacknowledged, so a lost
                // reply lost them (its subscription started at the overflow). Handed over, a queued copy starts
                // it before itself instead (ClientStressTest seed 3491074049376).
                if (ack && connection.queued() == 0 && !patternChannels.takeOverflowed(connection)) {
                    deliveries.addAll(patternResets());
                }
            } while (sinkBytes < maxBytes && patternChannels.handedOver() && ++rounds < 4);
        } finally {
            sink = null;
        }
        return deliveries;
    }

    /** Writes {@code h}'s response; with {@code deliver}, everything queued goes with it. Holds the lock. */
    private void respond(Held h, boolean deliver) {
        respond(h, deliver, null);
    }

    /** As {@link #respond(Held, boolean)}, the reply carrying {@code advice} when not null. */
    private void respond(Held h, boolean deliver, ObjectNode advice) {
        respond(h.link, h.before(), h.reply(), deliver, advice);
    }

    /**
     * Writes the response to a connect on {@code link}, adding the client id and the advice (the retry advice when
     * {@code advice} is null): see {@link #respond(Held, boolean, ObjectNode)}. Holds the lock.
     */
    private void respond(BayeuxLink link, List<ObjectNode> before, ObjectNode reply, boolean deliver, ObjectNode advice) {
        List<byte[]> deliveries = deliver && !detached && link.isOpen() ? drainQueued(link.maxDeliveryBytes()) : null;
        answer(link, before, reply, deliveries, advice);
    }

    /**
     * Writes the response to a connect with {@code deliveries} just drained ({@link #drainQueued}), or none when
     * null. Holds the lock.
     */
    private void answer(BayeuxLink link, List<ObjectNode> before, ObjectNode reply, List<byte[]> deliveries, ObjectNode advice) {
        reply.put("clientId", id);
        reply.set("advice", advice != null ? advice : server.advice("retry"));
        if (deliveries == null) {
            deliveries = List.of();
        } else {
            if (ack && !deliveries.isEmpty()) {
                // Only a reply that carries messages gets a batch number: a late empty reply must not move the
                // client's acknowledged batch backwards.
                if (batches == null) {
                    batches = new java.util.ArrayDeque<>(2);
                }
                batches.addLast(new Batch(++batch, batchPositions != null ? batchPositions : new java.util.HashMap<>()));
                ObjectNode ext = reply.with("ext");
                ext.put("ack", batch);
            }
            batchPositions = null;
        }
        List<ObjectNode> replies = new ArrayList<>(before.size() + 1);
        replies.addAll(before);
        replies.add(reply);
        server.outgoing(context, reply);
        lastSeen = System.nanoTime();
        server.stats.delivered.add(deliveries.size());
        link.send(replies, deliveries);
    }

    @Override
    public void writable() {
        // The task is made per call (once per batch): kept in a field, with the push's, it weighed 32 bytes on
        // every idle client.
        server.threads.write(System.identityHashCode(this), this::deliverQueued);
    }

    /** An acknowledged subscription pauses at a full outbox (its backlog stays in history): see the class comment. */
    @Override
    public boolean pausesWhenFull() {
        return true;
    }

    @Override
    public boolean patternOverflow(ConnectionSubscription pattern, Message message) {
        if (!ack || !patternChannels.overflowed(pattern, message)) {
            return false;
        }
        writable();
        return true;
    }

    /** A reset notice for each pattern subscribed: a channel of one may have lost messages. Holds the lock. */
    private List<byte[]> patternResets() {
        List<byte[]> resets = new ArrayList<>(1);
        for (ConnectionSubscription subscription : connection.subscriptions()) {
            if (subscription.channel().isPattern()) {
                resets.add(BayeuxDeliveries.gap(Gap.patternReset(subscription.channel())));
            }
        }
        return resets;
    }

    @Override
    public void cutOff() {
        // Too slow to keep up: what is queued goes with the next push or connect reply, then the client resumes
        // from its cursors through history on a fresh connection.
        server.stats.cutOffs.increment();
        writable();
    }

    @Override
    public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
        if (ack && subscription.channel().isPattern() && patternChannels.handOver(connection, subscription, message)) {
            return;
        }
        if (!filter.accept(message, redelivered)) {
            return;
        }
        byte[] bytes = encoded(message);
        sink.add(bytes);
        sinkBytes += bytes.length + 1;
        if (batchPositions != null && subscription.ackMode().acknowledged()) {
            batchPositions.put(subscription.key(), message.position());
        }
    }

    @Override
    public void gap(ConnectionSubscription subscription, Gap gap) {
        filter.gap(gap);
        byte[] bytes = BayeuxDeliveries.gap(gap);
        sink.add(bytes);
        sinkBytes += bytes.length + 1;
    }

    /** {@code message} as a Bayeux delivery (from the shared encoding cache). Holds the lock. */
    private byte[] encoded(Message message) {
        if (message != peeked) {
            peeked = message;
            peekedBytes = server.deliveries.message(message);
        }
        return peekedBytes;
    }

    /** A batch sent to a client of the ack extension, with the last position of each acked subscription in it. */
    private record Batch(long number, Map<String, Position> last) {
    }
}
