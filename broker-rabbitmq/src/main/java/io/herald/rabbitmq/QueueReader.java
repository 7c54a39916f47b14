package io.herald.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.herald.api.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One durable queue as this node reads it for {@link RabbitBacklog}: its AMQP channel and the messages fetched
 * ({@code basic.get} without auto-ack) and not yet acked, in queue order. Not thread-safe: the backlog uses a
 * reader under its lock only.
 */
final class QueueReader {

    private static final Logger LOG = LoggerFactory.getLogger(QueueReader.class);

    /** A message fetched and not acked: its delivery tag on the reader's channel; {@code null} if unreadable. */
    record Held(long tag, Message message) {
    }

    final String name;
    final ArrayDeque<Held> held = new ArrayDeque<>();
    /**
     * Set once the reader gave everything back for good: an operation that found this reader before and got its
     * lock after must not open a channel for it again (no close would come to give that channel's messages
     * back); it starts over on a new reader.
     */
    boolean closed;
    /**
     * Subscriptions that opened this backlog here and have not closed it: more than one while a client takes its
     * subscription over from a connection this node has not yet seen drop. The last close gives back.
     */
    int holders;
    private Channel amqp;

    QueueReader(String name) {
        this.name = name;
    }

    /** The reader's channel, opened when it has none (what the old one held went back to the queue with it). */
    Channel channel(RabbitBroker broker) throws IOException {
        if (amqp == null || !amqp.isOpen()) {
            held.clear();
            amqp = broker.openChannel();
        }
        return amqp;
    }

    /** Fetches the queue's next message without acking it (the caller holds it); {@code null} when it is empty. */
    Held fetch(RabbitBroker broker) throws IOException {
        GetResponse got = channel(broker).basicGet(name, false);
        if (got == null) {
            return null;
        }
        return new Held(got.getEnvelope().getDeliveryTag(), decode(got));
    }

    private static Message decode(GetResponse got) {
        try {
            return AmqpMessages.decode(got.getEnvelope().getRoutingKey(), got.getProps(), got.getBody());
        } catch (RuntimeException e) {
            LOG.warn("dropping an unreadable message in a durable queue ({})", e.getMessage());
            return null;
        }
    }

    /**
     * Gives what the reader holds back to the queue, in place, and closes its channel. Closing alone would
     * requeue too, but RabbitMQ does that after the close returns, so another node reading at once could see
     * later messages first; a nack then a queue status call on the same channel returns only once the queue
     * has taken them back (the queue handles one channel's commands in order).
     */
    void giveBack() {
        Held last = held.peekLast();
        held.clear();
        if (amqp != null) {
            if (last != null && amqp.isOpen()) {
                try {
                    amqp.basicNack(last.tag(), true, true);
                    amqp.queueDeclarePassive(name);
                } catch (IOException | ShutdownSignalException e) {
                    LOG.debug("giving back what was read of '{}': {}", name, RabbitBroker.describe(e));
                }
            }
            closeQuietly(amqp);
            amqp = null;
        }
    }

    static void closeQuietly(Channel ch) {
        try {
            if (ch.isOpen()) {
                ch.close();
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            LOG.debug("closing a channel: {}", e.toString());
        }
    }
}
