package io.herald.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.herald.api.ChannelName;
import io.herald.api.InvalidRequestException;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.StoreException;
import io.herald.api.SubscriptionBacklog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable subscriptions' backlogs in durable RabbitMQ queues of their own, as RabbitMQ's Web-STOMP keeps a
 * durable topic subscription ({@code rabbitmq.durable-queues}): each backlog is a durable, non-exclusive,
 * non-auto-delete queue named as the client asked ({@code x-queue-name}) or after its session, bound on
 * Herald's exchange with its channel's routing key, so RabbitMQ keeps every (persistent) message published
 * while the subscriber is away, however long history keeps it.
 *
 * <p><b>Reading.</b> A queue is read with {@code basic.get} without auto-ack, on one AMQP channel per backlog
 * this node reads: what was fetched stays unacked (held here, in queue order) until {@link #release} acks it;
 * {@link #close} closes that channel, which gives everything unacked back to the queue, in place, for the
 * next reader on any node. Releasing acks what is held up to the position and fetches and acks what the queue
 * still has up to it (what was delivered live while connected), stopping at the first later message.
 * Releases run on one thread of their own, coalesced per backlog, so an ack never waits for RabbitMQ.
 *
 * <p><b>Lifetime.</b> {@link #delete} deletes the queue (the subscription ended). Each queue is declared with
 * {@code x-expires} of twice the session TTL and redeclared by the node reading it every third of that, so a
 * queue whose session expired while no node knew its name (a restart) is still deleted by RabbitMQ.
 *
 * <p>Thread-safe: operations on one backlog are serialized on its reader.
 */
final class RabbitBacklog implements SubscriptionBacklog, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBacklog.class);
    private static final int MAX_NAME_BYTES = 255;

    private final RabbitBroker broker;
    private final String exchange;
    private final long expiresMillis;
    private final Map<String, Reader> readers = new ConcurrentHashMap<>();
    /** Coalesced releases: the furthest position asked for, per backlog, not yet applied. */
    private final Map<String, Position> releases = new ConcurrentHashMap<>();
    private ScheduledExecutorService worker;

    RabbitBacklog(RabbitBroker broker, String exchange, Duration sessionTtl) {
        this.broker = broker;
        this.exchange = exchange;
        this.expiresMillis = Math.min(Integer.MAX_VALUE, Math.max(60_000, sessionTtl.multipliedBy(2).toMillis()));
    }

    /** One backlog this node reads: its channel and the messages fetched and not yet acked, in queue order. */
    private static final class Reader {
        final String name;
        Channel amqp;
        final ArrayDeque<Held> held = new ArrayDeque<>();
        /**
         * Closed by {@link #closeNow}: a read or release that found this reader before the close and got its lock
         * after must not open a channel for it again, since no close would ever come to give that channel's
         * messages back (they would stay unacknowledged in the queue, out of every subscriber's reach).
         */
        boolean closed;

        Reader(String name) {
            this.name = name;
        }
    }

    /** A message fetched and not acked: its delivery tag on the reader's channel. */
    private record Held(long tag, Message message) {
    }

    @Override
    public int phase() {
        return STORE + 10; // after the broker, whose connection it reads on; stopped before it
    }

    @Override
    public void start() {
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-rabbitmq-backlog");
            t.setDaemon(true);
            return t;
        });
        long every = expiresMillis / 3;
        worker.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (worker != null) {
            worker.shutdown();
            try {
                worker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        readers.keySet().forEach(this::closeNow);
    }

    @Override
    public String defaultName(String session, String key) {
        return "herald.dsub." + session + "." + key;
    }

    /** RabbitMQ's rules for a queue name a client gives: 1 to 255 bytes of UTF-8, not {@code amq.*} (reserved). */
    @Override
    public void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException(null, "x-queue-name must not be empty (RabbitMQ would name the queue itself)");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidRequestException(null, "x-queue-name '" + name.substring(0, 32) + "...' is longer than RabbitMQ's "
                    + MAX_NAME_BYTES + " bytes");
        }
        if (name.startsWith("amq.")) {
            throw new InvalidRequestException(null, "x-queue-name '" + name + "': names starting with 'amq.' are reserved by RabbitMQ");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new InvalidRequestException(null, "x-queue-name must not contain control characters");
            }
        }
    }

    @Override
    public void open(String name, ChannelName channel) {
        checkName(name);
        String key = RoutingKeys.of(channel);
        try {
            Channel ch = broker.openChannel();
            try {
                declare(ch, name);
                ch.queueBind(name, exchange, key);
            } finally {
                closeQuietly(ch);
            }
            readers.computeIfAbsent(name, Reader::new);
        } catch (IOException | ShutdownSignalException e) {
            String why = RabbitBroker.describe(e);
            if (why.contains("PRECONDITION_FAILED") || why.contains("RESOURCE_LOCKED") || why.contains("ACCESS_REFUSED")) {
                throw new InvalidRequestException(null, "x-queue-name '" + name + "' cannot be used as a durable subscription's queue: " + why);
            }
            throw new StoreException("cannot declare the durable queue '" + name + "' for " + channel + ": " + why, e);
        }
    }

    private void declare(Channel ch, String name) throws IOException {
        ch.queueDeclare(name, true, false, false, Map.of("x-expires", expiresMillis));
    }

    @Override
    public List<Message> read(String name, Position after, int limit) {
        Reader open = readers.get(name);
        // Not opened here (closed meanwhile): read, then give everything back to the queue at once.
        Reader reader = open != null ? open : new Reader(name);
        synchronized (reader) {
            // Closed while this waited for the lock: read as a passer-by and give everything back at once.
            boolean passing = open == null || reader.closed;
            try {
                List<Message> out = new ArrayList<>();
                for (Held h : reader.held) {
                    if (out.size() >= limit) {
                        return out;
                    }
                    if (h.message() != null && isAfter(h.message().position(), after)) {
                        out.add(h.message());
                    }
                }
                while (out.size() < limit) {
                    GetResponse got = channel(reader).basicGet(name, false);
                    if (got == null) {
                        break;
                    }
                    Message m = decode(got);
                    reader.held.add(new Held(got.getEnvelope().getDeliveryTag(), m));
                    if (m != null && isAfter(m.position(), after)) {
                        out.add(m);
                    }
                }
                return out;
            } catch (IOException | ShutdownSignalException e) {
                reset(reader);
                if (RabbitBroker.describe(e).contains("NOT_FOUND")) {
                    return List.of(); // no such queue: deleted, or never opened
                }
                throw new StoreException("cannot read the durable queue '" + name + "': " + RabbitBroker.describe(e), e);
            } finally {
                if (passing) {
                    reset(reader);
                }
            }
        }
    }

    private static boolean isAfter(Position p, Position after) {
        return after == null || (p.sameEpoch(after) && p.offset() > after.offset());
    }

    @Override
    public void release(String name, Position upTo) {
        if (releases.put(name, upTo) == null) {
            submit(() -> {
                Position target = releases.remove(name);
                if (target != null) {
                    applyRelease(name, target);
                }
            });
        }
    }

    /** Acks what is held up to {@code upTo}, then fetches and acks what the queue has up to it. */
    private void applyRelease(String name, Position upTo) {
        Reader open = readers.get(name);
        Reader reader = open != null ? open : new Reader(name);
        synchronized (reader) {
            boolean passing = open == null || reader.closed; // as in read
            try {
                Iterator<Held> it = reader.held.iterator();
                long last = -1;
                while (it.hasNext()) {
                    Held h = it.next();
                    if (h.message() != null && !done(h.message().position(), upTo)) {
                        break;
                    }
                    last = h.tag();
                    it.remove();
                }
                if (last >= 0) {
                    channel(reader).basicAck(last, true);
                }
                if (!reader.held.isEmpty()) {
                    return; // the queue's order: nothing behind a kept message can be done with
                }
                while (true) {
                    GetResponse got = channel(reader).basicGet(name, false);
                    if (got == null) {
                        return;
                    }
                    Message m = decode(got);
                    long tag = got.getEnvelope().getDeliveryTag();
                    if (m != null && !done(m.position(), upTo)) {
                        reader.held.add(new Held(tag, m));
                        return;
                    }
                    reader.amqp.basicAck(tag, false);
                }
            } catch (IOException | ShutdownSignalException e) {
                // What was not acked stays in the queue: the next release tries again.
                LOG.debug("releasing durable queue '{}' up to {} failed: {}", name, upTo, RabbitBroker.describe(e));
                reset(reader);
            } finally {
                if (passing) {
                    reset(reader);
                }
            }
        }
    }

    /** Whether a subscriber done up to {@code upTo} is done with {@code p}: it is no later, or of an older epoch. */
    private static boolean done(Position p, Position upTo) {
        return !p.sameEpoch(upTo) || p.offset() <= upTo.offset();
    }

    @Override
    public void close(String name) {
        // Here, not on the release thread: once close returns, what was read is back in the queue, so the next
        // reader (this subscriber reconnecting at once) finds it in order. A release asked for before goes first.
        Position pending = releases.remove(name);
        if (pending != null) {
            applyRelease(name, pending);
        }
        closeNow(name);
    }

    private void closeNow(String name) {
        Reader reader = readers.remove(name);
        if (reader != null) {
            synchronized (reader) {
                reader.closed = true;
                reset(reader);
            }
        }
    }

    @Override
    public void delete(String name) {
        releases.remove(name);
        closeNow(name);
        try {
            Channel ch = broker.openChannel();
            try {
                ch.queueDelete(name);
            } finally {
                closeQuietly(ch);
            }
        } catch (IOException | ShutdownSignalException e) {
            throw new StoreException("cannot delete the durable queue '" + name + "': " + RabbitBroker.describe(e), e);
        }
    }

    /** Redeclares the queues this node reads, which renews their {@code x-expires} lease. */
    private void renew() {
        for (Reader reader : readers.values()) {
            synchronized (reader) {
                if (reader.closed) {
                    continue;
                }
                try {
                    declare(channel(reader), reader.name);
                } catch (IOException | ShutdownSignalException e) {
                    LOG.warn("cannot renew durable queue '{}': {}", reader.name, RabbitBroker.describe(e));
                    reset(reader);
                }
            }
        }
    }

    /** Number of backlogs this node reads now. */
    int readers() {
        return readers.size();
    }

    private Channel channel(Reader reader) throws IOException {
        if (reader.amqp == null || !reader.amqp.isOpen()) {
            reader.held.clear(); // a new channel: the old one's unacked messages went back to the queue
            reader.amqp = broker.openChannel();
        }
        return reader.amqp;
    }

    /**
     * Gives what the reader holds back to the queue, in place, and closes its channel. Closing alone would
     * requeue too, but RabbitMQ does that after the close returns, so another node reading at once could see
     * later messages first; a nack then a queue status call on the same channel returns only once the queue
     * has taken them back (the queue handles one channel's commands in order).
     */
    private static void reset(Reader reader) {
        Held last = reader.held.peekLast();
        reader.held.clear();
        if (reader.amqp != null) {
            if (last != null && reader.amqp.isOpen()) {
                try {
                    reader.amqp.basicNack(last.tag(), true, true);
                    reader.amqp.queueDeclarePassive(reader.name);
                } catch (IOException | ShutdownSignalException e) {
                    LOG.debug("giving back what was read of '{}': {}", reader.name, RabbitBroker.describe(e));
                }
            }
            closeQuietly(reader.amqp);
            reader.amqp = null;
        }
    }

    private Message decode(GetResponse got) {
        try {
            return AmqpMessages.decode(got.getEnvelope().getRoutingKey(), got.getProps(), got.getBody());
        } catch (RuntimeException e) {
            LOG.warn("dropping an unreadable message in a durable queue ({})", e.getMessage());
            return null;
        }
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException | NullPointerException e) {
            task.run(); // stopped, or used before start: do it here
        }
    }

    private static void closeQuietly(Channel ch) {
        try {
            if (ch.isOpen()) {
                ch.close();
            }
        } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
            LOG.debug("closing a channel: {}", e.toString());
        }
    }
}
