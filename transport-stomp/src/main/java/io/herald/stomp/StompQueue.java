package io.herald.stomp;

import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.core.AckMode;
import io.herald.core.ClientSession;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import io.herald.core.Resume;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A shared queue, {@code /queue/<name>}: competing consumers, each message to one of them (RabbitMQ
 * semantics). The queue is one durable core session holding one acknowledged subscription to the channel
 * {@code /queue/<name>}, so its cursor and unacked window live in the session store and what is published
 * while no consumer is there waits in history (for the session TTL). This class only dispatches: each
 * message the core connection drains goes to the next consumer with room in its {@code prefetch-count}, and
 * consumers' ACKs settle it in core.
 *
 * <p>When a consumer leaves (UNSUBSCRIBE, drop) or NACKs, what it had not acked is given back: the core
 * subscription starts over from the session, which delivers every unacked message again; the ones still
 * held by live consumers are skipped, the others go to a consumer flagged {@code redelivered:true}.
 *
 * <p>Thread-safe: the dispatcher runs on one writer thread; consumers join, ack and leave from their readers.
 */
final class StompQueue implements Connection.Wire, Connection.Items {

    private static final String KEY = "queue";

    private final StompTransport transport;
    private final StompDestination destination;
    private final DurableSubscriptions.Key key;
    private final Runnable dispatch = this::dispatch;
    private final List<StompSubscription> consumers = new ArrayList<>();
    private final Map<Position, StompSubscription> assigned = new HashMap<>();
    private final Map<StompSubscription, Integer> held = new HashMap<>();
    /** Drained while no consumer had room any more: handed out first. Guarded by this. */
    private final java.util.ArrayDeque<Object[]> parked = new java.util.ArrayDeque<>();
    private ClientSession session;
    private volatile Connection connection;
    private int next;

    StompQueue(StompTransport transport, StompDestination destination) {
        this.transport = transport;
        this.destination = destination;
        this.key = new DurableSubscriptions.Key("queue", destination.channel().value(), "");
    }

    /** Makes sure the queue exists from now on, so that what is sent to it before any consumer waits for one. */
    synchronized void declare() {
        if (connection == null && transport.durables.sessionId(key).isEmpty()) {
            open();
            close();
        }
    }

    synchronized void join(StompSubscription consumer) {
        if (connection == null) {
            open();
        }
        consumers.add(consumer);
        held.put(consumer, 0);
        wake();
    }

    /** A consumer leaves: what it held goes back to the queue. */
    void leave(StompSubscription consumer) {
        synchronized (this) {
            if (!consumers.remove(consumer)) {
                return;
            }
            held.remove(consumer);
            boolean orphans = assigned.values().removeIf(c -> c == consumer);
            if (consumers.isEmpty()) {
                close();
            } else if (orphans) {
                restart();
            }
        }
    }

    /** ACK (and NACK with {@code requeue:false}) of {@code position} by {@code consumer}. */
    void ack(StompSubscription consumer, Position position, boolean cumulative) {
        List<Position> settled = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Position, StompSubscription>> it = assigned.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Position, StompSubscription> e = it.next();
                Position p = e.getKey();
                if (e.getValue() == consumer && (p.equals(position)
                        || (cumulative && p.sameEpoch(position) && p.offset() < position.offset()))) {
                    it.remove();
                    settled.add(p);
                }
            }
            held.computeIfPresent(consumer, (c, n) -> n - settled.size());
        }
        Connection c = connection;
        if (c != null) {
            settled.forEach(p -> c.acknowledge(KEY, p, false));
        }
        wake();
    }

    /** NACK asking for the message again: it goes back to the queue for any consumer. */
    void requeue(StompSubscription consumer, Position position) {
        synchronized (this) {
            if (assigned.remove(position, consumer)) {
                held.computeIfPresent(consumer, (c, n) -> n - 1);
                restart();
            }
        }
    }

    private void open() {
        session = transport.durables.session(key, Principal.SERVER);
        Connection c = transport.sessions.connect(session, this, true);
        try {
            c.subscribe(KEY, destination.channel(), Resume.live(), AckMode.INDIVIDUAL, transport.queueWindow);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        connection = c;
    }

    private void close() {
        Connection c = connection;
        connection = null;
        parked.clear(); // still unacked in the session: delivered again when the queue next opens
        if (c != null) {
            c.close();
        }
    }

    private void restart() {
        close();
        open();
        wake();
    }

    private void wake() {
        transport.threads.write(System.identityHashCode(this), dispatch);
    }

    /** Hands queued messages to consumers with room, one at a time, until none has room or none is queued. */
    private void dispatch() {
        while (true) {
            Connection c;
            Object[] held;
            synchronized (this) {
                c = connection;
                if (c == null || pick(false) == null) {
                    return;
                }
                held = parked.poll();
            }
            if (held != null) {
                message(null, (Message) held[0], (Boolean) held[1]);
                continue;
            }
            if (c.drain(1, this) == 0) {
                return;
            }
        }
    }

    /** The next consumer with room, round robin; with {@code take}, moves the turn on. */
    private StompSubscription pick(boolean take) {
        for (int i = 0; i < consumers.size(); i++) {
            StompSubscription s = consumers.get((next + i) % consumers.size());
            int load = s.ack == AckMode.AUTO ? s.owner.backlog() : held.getOrDefault(s, 0);
            if (load < s.window) {
                if (take) {
                    next = (next + i + 1) % consumers.size();
                }
                return s;
            }
        }
        return null;
    }

    @Override
    public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
        StompSubscription consumer;
        synchronized (this) {
            if (assigned.containsKey(message.position())) {
                return; // given back by a restart but still held by a live consumer
            }
            consumer = pick(true);
            if (consumer == null) {
                parked.add(new Object[] {message, redelivered});
                return;
            }
            if (consumer.ack.acknowledged()) {
                assigned.put(message.position(), consumer);
                held.merge(consumer, 1, Integer::sum);
            }
        }
        Connection c = connection;
        if (!consumer.ack.acknowledged() && c != null) {
            c.acknowledge(KEY, message.position(), false);
        }
        consumer.owner.deliver(consumer, message, redelivered);
    }

    @Override
    public void gap(ConnectionSubscription subscription, Gap gap) {
        List<StompSubscription> all;
        synchronized (this) {
            all = List.copyOf(consumers);
        }
        for (StompSubscription consumer : all) {
            consumer.owner.deliverGap(consumer, gap);
        }
    }

    @Override
    public void writable() {
        wake();
    }

    @Override
    public void cutOff() {
        synchronized (this) {
            if (!consumers.isEmpty()) {
                restart();
            }
        }
    }
}
