package io.herald.rabbitmq;

import com.rabbitmq.client.Channel;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * <p>Thread-safe: operations on one backlog are serialized on its reader. A name may be opened again before its
 * last opener closed it (a client taking its subscription over from a connection not yet seen dropping): both
 * share the reader, and only the last close gives back.
 */
final class RabbitBacklog implements SubscriptionBacklog, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBacklog.class);
    private static final int MAX_NAME_BYTES = 255;

    private final RabbitBroker broker;
    private final String exchange;
    private final long expiresMillis;
    private final Map<String, QueueReader> readers = new ConcurrentHashMap<>();
    /** Coalesced releases: the furthest position asked for, per backlog, not yet applied. */
    private final Map<String, Position> releases = new ConcurrentHashMap<>();
    private ScheduledExecutorService worker;

    RabbitBacklog(RabbitBroker broker, String exchange, Duration sessionTtl) {
        this.broker = broker;
        this.exchange = exchange;
        this.expiresMillis = Math.min(Integer.MAX_VALUE, Math.max(60_000, sessionTtl.multipliedBy(2).toMillis()));
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
        readers.values().forEach(this::closeNow);
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
                QueueReader.closeQuietly(ch);
            }
            hold(name);
        } catch (IOException | ShutdownSignalException e) {
            String why = RabbitBroker.describe(e);
            if (why.contains("PRECONDITION_FAILED") || why.contains("RESOURCE_LOCKED") || why.contains("ACCESS_REFUSED")) {
                throw new InvalidRequestException(null, "x-queue-name '" + name + "' cannot be used as a durable subscription's queue: " + why);
            }
            throw new StoreException("cannot declare the durable queue '" + name + "' for " + channel + ": " + why, e);
        }
    }

    /**
     * Counts one more holder of the name's reader. A reader being closed stays in the map until it has given back
     * what it held, so an open that meets it waits for that (on its lock) and then starts a new one: a new reader
     * never reads the queue while an old one still holds its head.
     */
    private void hold(String name) {
        while (true) {
            QueueReader reader = readers.computeIfAbsent(name, QueueReader::new);
            synchronized (reader) {
                if (!reader.closed) {
                    reader.holders++;
                    return;
                }
            }
            readers.remove(name, reader);
        }
    }

    private void declare(Channel ch, String name) throws IOException {
        ch.queueDeclare(name, true, false, false, Map.of("x-expires", expiresMillis));
    }

    @Override
    public List<Message> read(String name, Position after, int limit) {
        return withQueueReader(name, reader -> {
            try {
                List<Message> out = new ArrayList<>();
                for (QueueReader.Held h : reader.held) {
                    if (out.size() >= limit) {
                        return out;
                    }
                    if (h.message() != null && isAfter(h.message().position(), after)) {
                        out.add(h.message());
                    }
                }
                while (out.size() < limit) {
                    QueueReader.Held got = reader.fetch(broker);
                    if (got == null) {
                        break;
                    }
                    reader.held.add(got);
                    if (got.message() != null && isAfter(got.message().position(), after)) {
                        out.add(got.message());
                    }
                }
                return out;
            } catch (IOException | ShutdownSignalException e) {
                reader.giveBack();
                if (RabbitBroker.describe(e).contains("NOT_FOUND")) {
                    return List.of(); // no such queue: deleted, or never opened
                }
                throw new StoreException("cannot read the durable queue '" + name + "': " + RabbitBroker.describe(e), e);
            }
        });
    }

    /**
     * Runs {@code operation} on the name's reader, under its lock: every read and release of a name on this node
     * goes through the one reader, since two channels fetching from one queue at once would each see it with
     * holes (and one giving back would put messages behind later ones the other already took). A reader that no
     * subscription holds (a release or read after the close) gives everything back when the operation ends.
     */
    private <T> T withQueueReader(String name, Function<QueueReader, T> operation) {
        while (true) {
            QueueReader reader = readers.computeIfAbsent(name, QueueReader::new);
            synchronized (reader) {
                if (reader.closed) {
                    readers.remove(name, reader); // let go meanwhile, after giving back: start a new one
                    continue;
                }
                try {
                    return operation.apply(reader);
                } finally {
                    if (reader.holders <= 0) {
                        closeNow(reader);
                    }
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
        withQueueReader(name, reader -> {
            try {
                Iterator<QueueReader.Held> it = reader.held.iterator();
                long last = -1;
                while (it.hasNext()) {
                    QueueReader.Held h = it.next();
                    if (h.message() != null && !done(h.message().position(), upTo)) {
                        break;
                    }
                    last = h.tag();
                    it.remove();
                }
                if (last >= 0) {
                    reader.channel(broker).basicAck(last, true);
                }
                if (!reader.held.isEmpty()) {
                    return null; // the queue's order: nothing behind a kept message can be done with
                }
                while (true) {
                    QueueReader.Held got = reader.fetch(broker);
                    if (got == null) {
                        return null;
                    }
                    if (got.message() != null && !done(got.message().position(), upTo)) {
                        reader.held.add(got);
                        return null;
                    }
                    reader.channel(broker).basicAck(got.tag(), false);
                }
            } catch (IOException | ShutdownSignalException e) {
                // What was not acked stays in the queue: the next release tries again.
                LOG.debug("releasing durable queue '{}' up to {} failed: {}", name, upTo, RabbitBroker.describe(e));
                reader.giveBack();
                return null;
            }
        });
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
        QueueReader reader = readers.get(name);
        if (reader != null) {
            synchronized (reader) {
                if (--reader.holders > 0) {
                    return; // a connection that took the subscription over reads on: what is held is its now
                }
                closeNow(reader);
            }
        }
    }

    private void closeNow(String name) {
        QueueReader reader = readers.get(name);
        if (reader != null) {
            closeNow(reader);
        }
    }

    /** Gives back what the reader holds, then lets it go; an open waiting on its lock then starts a new one. */
    private void closeNow(QueueReader reader) {
        synchronized (reader) {
            reader.closed = true;
            reader.giveBack();
            readers.remove(reader.name, reader);
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
                QueueReader.closeQuietly(ch);
            }
        } catch (IOException | ShutdownSignalException e) {
            throw new StoreException("cannot delete the durable queue '" + name + "': " + RabbitBroker.describe(e), e);
        }
    }

    /** Redeclares the queues this node reads, which renews their {@code x-expires} lease. */
    private void renew() {
        for (QueueReader reader : readers.values()) {
            synchronized (reader) {
                if (reader.closed) {
                    continue;
                }
                try {
                    declare(reader.channel(broker), reader.name);
                } catch (IOException | ShutdownSignalException e) {
                    LOG.warn("cannot renew durable queue '{}': {}", reader.name, RabbitBroker.describe(e));
                    reader.giveBack();
                }
            }
        }
    }

    /** Number of backlogs this node reads now. */
    int readers() {
        return readers.size();
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException | NullPointerException e) {
            task.run(); // stopped, or used before start: do it here
        }
    }
}
