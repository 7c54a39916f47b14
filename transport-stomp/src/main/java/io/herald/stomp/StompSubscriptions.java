package io.herald.stomp;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.core.AckMode;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import io.herald.core.Resume;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The subscriptions of one {@link StompConnection}: SUBSCRIBE, UNSUBSCRIBE, ACK and NACK on the core
 * connections, and the routing of what those connections drain back to the STOMP subscription it is for.
 *
 * <p>Ack ids ({@code message-id}, and {@code ack} in 1.2) read {@code <index>-<epoch>-<offset>}: the
 * subscription's number on this connection and the message's position, so an ACK needs no lookup table, and
 * an id from another connection is refused. A gap notice's id, {@code <index>-gap}, may be acked and does
 * nothing. Thread-safe.
 */
final class StompSubscriptions {

    /** A core connection whose items the writer drains; {@code owner} for a durable one, else null. */
    private record Source(Connection connection, StompSubscription owner, Connection.Items items) {
    }

    /** Appended to a subscription's core key for the channel its last {@code #} matches with zero words. */
    private static final String ZERO_WORDS = "+";

    private final StompConnection stomp;
    private final Map<String, StompSubscription> byId = new ConcurrentHashMap<>();
    private final Map<Integer, StompSubscription> byIndex = new ConcurrentHashMap<>();
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final AtomicInteger indexes = new AtomicInteger();
    /** Messages a shared queue handed to this connection's consumers, to be written. */
    private final java.util.Queue<Object[]> fromQueues = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private int nextSource;

    StompSubscriptions(StompConnection stomp) {
        this.stomp = stomp;
    }

    /** Adds a core connection to drain; {@code owner} for a durable subscription's own connection. */
    void addSource(Connection connection, StompSubscription owner) {
        StompOutbound out = stomp.outbound();
        Connection.Items items = new Connection.Items() {
            @Override
            public void message(ConnectionSubscription core, Message message, boolean redelivered) {
                StompConnection.route(out, owner != null ? owner : byIndex.get(index(core.key())), core, message, redelivered);
            }

            @Override
            public void gap(ConnectionSubscription core, Gap gap) {
                StompConnection.routeGap(out, owner != null ? owner : byIndex.get(index(core.key())), core, gap);
            }
        };
        sources.add(new Source(connection, owner, items));
    }

    private static int index(String key) {
        try {
            return Integer.parseInt(key.endsWith(ZERO_WORDS) ? key.substring(0, key.length() - ZERO_WORDS.length()) : key);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void subscribe(StompFrame frame) {
        String destinationHeader = frame.header("destination");
        StompDestination destination = StompDestination.parse(destinationHeader);
        String id = frame.header("id");
        if (id == null) {
            if (stomp.version() != StompVersion.V1_0) {
                throw new StompProtocolException("SUBSCRIBE needs an id header");
            }
            id = destinationHeader;
        }
        if (byId.containsKey(id)) {
            throw new StompProtocolException("subscription '" + id + "' already exists on this connection");
        }
        AckMode ack = StompConnection.ackMode(frame.header("ack"));
        int window = prefetch(frame.header("prefetch-count"));
        Resume resume = StompConnection.resumeFrom(frame.header("herald-resume-from"));
        boolean durable = "true".equals(frame.header("durable")) || "true".equals(frame.header("persistent"));
        if (destination.kind() == StompDestination.Kind.QUEUE) {
            durable = false; // a queue outlives its consumers anyway
            stomp.transport.engine.checkSubscribe(stomp.principal(), destination.channel());
        }
        if (durable && destination.isPattern()) {
            throw new StompProtocolException("a durable subscription needs an exact destination, not the wildcard '"
                    + destinationHeader + "'");
        }
        if (ack.acknowledged() && destination.isPattern()) {
            throw new StompProtocolException("ack mode '" + frame.header("ack") + "' needs an exact destination; wildcard '"
                    + destinationHeader + "' subscriptions are ack:auto");
        }
        if (durable && frame.header("id") == null) {
            throw new StompProtocolException("Header 'id' is required for durable subscriptions");
        }
        DurableSubscriptions.Key key = durable
                ? new DurableSubscriptions.Key(stomp.principal().name(), destinationHeader, id) : null;
        StompSubscription sub = new StompSubscription(this, indexes.getAndIncrement(), id, destinationHeader, destination, ack, window, key);
        sub.queueName = durable ? frame.header("x-queue-name") : null;
        byId.put(id, sub);
        byIndex.put(sub.index, sub);
        try {
            if (sub.queue()) {
                stomp.transport.queue(destination).join(sub);
            } else if (durable) {
                subscribeDurable(sub, resume);
            } else {
                sub.connection = stomp.live();
                sub.core = stomp.live().subscribe(sub.coreKey(), destination.channel(), resume, ack, window);
                subscribeZeroWords(sub);
            }
        } catch (RuntimeException e) {
            byId.remove(id, sub);
            byIndex.remove(sub.index, sub);
            throw e;
        }
    }

    /**
     * A destination ending with {@code #} matches zero words too: its subscription also takes that channel,
     * live like the pattern itself, under its core key with {@link #ZERO_WORDS} appended.
     */
    private void subscribeZeroWords(StompSubscription sub) {
        ChannelName zero = sub.destination.zeroWords();
        if (zero == null) {
            return;
        }
        try {
            stomp.live().subscribe(sub.coreKey() + ZERO_WORDS, zero, Resume.live(), sub.ack, sub.window);
        } catch (RuntimeException e) {
            stomp.live().unsubscribe(sub.coreKey(), false);
            throw e;
        }
    }

    private void subscribeDurable(StompSubscription sub, Resume resume) {
        DurableSubscriptions durables = stomp.transport.durables;
        durables.attach(sub.durableKey, stomp);
        try {
            sub.durableSession = durables.session(sub.durableKey, stomp.principal());
            attachDurable(sub, resume);
        } catch (RuntimeException e) {
            durables.detach(sub.durableKey, stomp);
            throw e;
        }
    }

    /** Opens the durable subscription's own core connection and subscribes it, resuming what the store kept. */
    private void attachDurable(StompSubscription sub, Resume resume) {
        Connection connection = stomp.transport.sessions.connect(sub.durableSession, stomp.outbound(), true);
        sub.core = null;
        sub.connection = connection;
        addSource(connection, sub);
        try {
            sub.core = connection.subscribeKept(sub.coreKey(), sub.destination.channel(), resume, sub.ack, sub.window, sub.queueName);
        } catch (RuntimeException e) {
            sources.removeIf(s -> s.connection() == connection);
            connection.close();
            throw e;
        }
    }

    /**
     * A NACK asking for a durable subscription's message again: the subscription starts over from its session,
     * which delivers every unacked message again, flagged redelivered, then what follows (as RabbitMQ requeues
     * to the head of the subscription's queue).
     */
    private void requeue(StompSubscription sub) {
        Connection old = sub.connection;
        sources.removeIf(s -> s.connection() == old);
        old.close();
        attachDurable(sub, Resume.live());
    }

    private int prefetch(String header) {
        int fallback = stomp.transport.settings.prefetch();
        if (header == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(header.trim());
            if (n >= 0) {
                return n == 0 ? fallback : n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new StompProtocolException("bad prefetch-count '" + header + "': expected a whole number");
    }

    void unsubscribe(StompFrame frame) {
        String id = frame.header("id") != null ? frame.header("id") : frame.header("destination");
        if (id == null) {
            throw new StompProtocolException("UNSUBSCRIBE needs an id header");
        }
        boolean forget = "true".equals(frame.header("durable")) || "true".equals(frame.header("persistent"));
        StompSubscription sub = byId.get(id);
        if (sub == null) {
            String destination = frame.header("destination");
            if (forget && destination != null) {
                StompDestination.parse(destination);
                stomp.transport.durables.delete(new DurableSubscriptions.Key(stomp.principal().name(), destination, id));
                return;
            }
            throw new StompProtocolException("no subscription '" + id + "' on this connection"
                    + (forget ? "; to delete a durable subscription from another connection, give its destination too" : ""));
        }
        byId.remove(id, sub);
        byIndex.remove(sub.index, sub);
        if (sub.queue()) {
            stomp.transport.queue(sub.destination).leave(sub);
        } else if (sub.durable()) {
            sources.removeIf(s -> s.owner() == sub);
            if (forget) {
                sub.connection.unsubscribe(sub.coreKey(), true);
            }
            sub.connection.close();
            stomp.transport.durables.detach(sub.durableKey, stomp);
            if (forget) {
                stomp.transport.durables.delete(sub.durableKey);
            }
        } else {
            sub.connection.unsubscribe(sub.coreKey(), false);
            if (sub.destination.zeroWords() != null) {
                sub.connection.unsubscribe(sub.coreKey() + ZERO_WORDS, false);
            }
        }
    }

    /** A parsed ack id: the subscription and the position, {@code null} for a gap notice. */
    private record AckTarget(StompSubscription subscription, Position position) {
    }

    private AckTarget target(StompFrame frame) {
        String id = stomp.version() == StompVersion.V1_2 && frame.header("id") != null ? frame.header("id")
                : frame.header("message-id");
        if (id == null) {
            throw new StompProtocolException(frame.command() + " needs " + (stomp.version() == StompVersion.V1_2 ? "an id" : "a message-id")
                    + " header");
        }
        String[] parts = id.split("-", 3);
        int index = parts.length >= 2 ? index(parts[0]) : -1;
        if (index < 0 || index >= indexes.get()) {
            throw new StompProtocolException("Message not found: " + frame.command() + " of unknown message '" + id + "'");
        }
        StompSubscription sub = byIndex.get(index);
        if (parts.length == 2 && parts[1].equals("gap")) {
            return new AckTarget(sub, null);
        }
        try {
            return new AckTarget(sub, new Position(parts[1], Long.parseLong(parts[2])));
        } catch (RuntimeException e) {
            throw new StompProtocolException("Message not found: " + frame.command() + " of unknown message '" + id + "'");
        }
    }

    /** Refuses an ACK or NACK that could not be applied, without applying it (for transactions). */
    void checkAck(StompFrame frame) {
        target(frame);
    }

    /**
     * ACK: the message (and in {@code client} mode every earlier one of the subscription) is done. NACK (which
     * covers the one message): on a durable subscription, unless {@code requeue:false}, every unacked message
     * is delivered again at once, flagged redelivered; otherwise the message is dropped, as the spec allows
     * (a plain subscription has no queue to put it back in).
     */
    void acknowledge(StompFrame frame) {
        AckTarget target = target(frame);
        StompSubscription sub = target.subscription();
        if (sub == null || target.position() == null || !sub.ack.acknowledged()) {
            return; // unsubscribed meanwhile, a gap notice, or an auto subscription: nothing to settle
        }
        boolean nack = frame.command().equals("NACK");
        boolean requeue = nack && !"false".equals(frame.header("requeue"));
        if (sub.queue()) {
            StompQueue queue = stomp.transport.queue(sub.destination);
            if (requeue) {
                queue.requeue(sub, target.position());
            } else {
                queue.ack(sub, target.position(), sub.ack == AckMode.CUMULATIVE && !nack);
            }
            return;
        }
        if (requeue && sub.durable()) {
            requeue(sub);
            return;
        }
        sub.connection.acknowledge(sub.coreKey(), target.position(), sub.ack == AckMode.CUMULATIVE && !nack);
    }

    /** A shared queue hands {@code message} to {@code consumer}, a subscription of this connection. */
    void deliver(StompSubscription consumer, Message message, boolean redelivered) {
        fromQueues.add(new Object[] {consumer, message, redelivered});
        stomp.outbound().wake();
    }

    /** Queue messages waiting to be written on this connection. */
    int backlog() {
        return fromQueues.size();
    }

    void deliverGap(StompSubscription consumer, Gap gap) {
        fromQueues.add(new Object[] {consumer, gap});
        stomp.outbound().wake();
    }

    /** Drains one item from the core connections, taking turns, into the outbound's write; false when none wrote a frame. */
    boolean drainOne(StompOutbound out) {
        Object[] queued;
        while ((queued = fromQueues.poll()) != null) {
            StompSubscription consumer = (StompSubscription) queued[0];
            if (byIndex.get(consumer.index) != consumer) {
                continue; // unsubscribed meanwhile: the queue took back what it held
            }
            if (queued[1] instanceof Gap gap) {
                out.gap(consumer, gap);
            } else {
                out.message(consumer, (Message) queued[1], (Boolean) queued[2]);
                if (!consumer.ack.acknowledged()) {
                    stomp.transport.queue(consumer.destination).writable(); // its backlog here shrank
                }
            }
            return true;
        }
        int before = out.produced();
        Object[] all = sources.toArray();
        for (int attempt = 0; attempt < all.length * 4; attempt++) {
            boolean any = false;
            for (int i = 0; i < all.length; i++) {
                Source source = (Source) all[(nextSource + i) % all.length];
                if (source.connection().drain(1, source.items()) > 0) {
                    nextSource = (nextSource + i + 1) % all.length;
                    any = true;
                    if (out.produced() != before) {
                        return true;
                    }
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        out.wake(); // many items for subscriptions that are gone: let others write first, then come back
        return false;
    }

    void sealAll() {
        for (Source source : sources) {
            source.connection().seal();
        }
    }

    /** Another connection took the durable subscription {@code key} over: this one lets go of it. */
    void release(DurableSubscriptions.Key key) {
        for (StompSubscription sub : byId.values()) {
            if (key.equals(sub.durableKey)) {
                byId.remove(sub.id, sub);
                byIndex.remove(sub.index, sub);
                sources.removeIf(s -> s.owner() == sub);
                Connection c = sub.connection;
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** Each subscription's state, for diagnostics: its core subscription (window, unacked) and core connection. */
    String describe() {
        StringBuilder out = new StringBuilder();
        for (StompSubscription sub : byId.values()) {
            Connection c = sub.connection;
            out.append(out.isEmpty() ? "" : "; ").append(sub.id).append(sub.durable() ? " (durable)" : "").append(": ")
                    .append(sub.queue() ? "queue consumer" : String.valueOf(sub.core));
            if (c != null) {
                out.append(", ").append(c.queued()).append(" queued").append(c.isClosed() ? ", core connection closed" : "");
            }
        }
        return out.toString();
    }

    void closeAll() {
        for (StompSubscription sub : byId.values()) {
            if (sub.queue()) {
                stomp.transport.queue(sub.destination).leave(sub);
            }
        }
        fromQueues.clear();
        for (Source source : sources) {
            source.connection().close();
            if (source.owner() != null) {
                stomp.transport.durables.detach(source.owner().durableKey, stomp);
            }
        }
        sources.clear();
        byId.clear();
        byIndex.clear();
    }
}
