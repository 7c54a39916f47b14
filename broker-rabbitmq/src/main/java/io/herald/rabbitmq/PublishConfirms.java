package io.herald.rabbitmq;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import io.herald.api.Message;
import io.herald.api.StoreException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Publishing on one AMQP channel in confirm mode, with any number of confirms outstanding: each publish is
 * remembered under its delivery tag (the channel's next publish sequence number) and its future completes
 * when RabbitMQ acks it; an ack or nack with {@code multiple} settles every tag up to it. No publish waits for
 * its confirm, so the publish path never makes a round trip per message.
 *
 * <p>A publish fails, with a {@link StoreException} naming its channel, position and id, when RabbitMQ nacks
 * it, when no confirm came within the timeout ({@link #expire}), or when the channel closed first
 * ({@link #channelLost}): its confirm can then never come, as a recovered channel numbers its publishes from 1
 * again. The tags of one channel incarnation live in one {@link Outstanding}, replaced when the channel is
 * lost, so a confirm of the recovered channel can never settle a publish of the lost one. Channel shutdown
 * listeners run before the client's recovery opens the new channel, which is what makes that safe.
 *
 * <p>Thread-safe: publishes are serialized (the tag and the send must go together); confirms arrive on the
 * client's dispatch thread; {@link #expire} runs on a timer.
 */
final class PublishConfirms implements ConfirmListener {

    private final Channel channel;
    private final long timeoutNanos;
    private final boolean persistent;
    private final Object sending = new Object();
    private volatile Outstanding current = new Outstanding();

    PublishConfirms(Channel channel, long timeoutNanos) {
        this(channel, timeoutNanos, false);
    }

    /** @param persistent publish with delivery mode 2, so durable queues keep messages across a RabbitMQ restart */
    PublishConfirms(Channel channel, long timeoutNanos, boolean persistent) {
        this.channel = channel;
        this.timeoutNanos = timeoutNanos;
        this.persistent = persistent;
    }

    /** Sends {@code message}; the future completes once RabbitMQ confirmed it, or fails as described above. */
    CompletableFuture<Void> publish(String exchange, Message message) {
        Pending pending = new Pending(message);
        Outstanding outstanding;
        synchronized (sending) {
            outstanding = current;
            long tag = channel.getNextPublishSeqNo();
            pending.deadline = System.nanoTime() + timeoutNanos;
            outstanding.map.put(tag, pending);
            try {
                channel.basicPublish(exchange, RoutingKeys.of(message.channel()), AmqpMessages.properties(message, persistent),
                        message.payload().toByteArray());
            } catch (IOException | AlreadyClosedException e) {
                outstanding.map.remove(tag, pending);
                pending.future.completeExceptionally(failure(message, "the channel to RabbitMQ is closed (" + e.getMessage() + ")"));
                return pending.future;
            }
        }
        if (outstanding.lost != null) {
            // Lost while this publish was being sent: the loss may have settled everything before it was added.
            outstanding.failAll(outstanding.lost);
        }
        return pending.future;
    }

    @Override
    public void handleAck(long tag, boolean multiple) {
        settle(tag, multiple, null);
    }

    @Override
    public void handleNack(long tag, boolean multiple) {
        settle(tag, multiple, "RabbitMQ refused it (nack: an internal error in the broker)");
    }

    private void settle(long tag, boolean multiple, String refusal) {
        ConcurrentNavigableMap<Long, Pending> map = current.map;
        if (multiple) {
            for (Map.Entry<Long, Pending> e : map.headMap(tag, true).entrySet()) {
                if (map.remove(e.getKey(), e.getValue())) {
                    e.getValue().settle(refusal);
                }
            }
        } else {
            Pending pending = map.remove(tag);
            if (pending != null) {
                pending.settle(refusal);
            }
        }
    }

    /** The channel closed: every publish not yet confirmed fails with {@code why}; later ones go to the recovered channel. */
    void channelLost(String why) {
        Outstanding lost = current;
        current = new Outstanding();
        lost.lost = why;
        lost.failAll(why);
    }

    /** Fails the publishes whose confirm is overdue; oldest first, so it stops at the first one still in time. */
    void expire() {
        long now = System.nanoTime();
        ConcurrentNavigableMap<Long, Pending> map = current.map;
        for (Map.Entry<Long, Pending> e : map.entrySet()) {
            if (now - e.getValue().deadline < 0) {
                return;
            }
            if (map.remove(e.getKey(), e.getValue())) {
                e.getValue().settle("RabbitMQ did not confirm it within " + timeoutNanos / 1_000_000 + " ms");
            }
        }
    }

    /** Publishes sent and not yet settled. */
    int outstanding() {
        return current.map.size();
    }

    static StoreException failure(Message message, String why) {
        return new StoreException("publish of " + message.channel() + " at " + message.position() + " (id " + message.id()
                + ") not confirmed: " + why + "; it is stored in history but other nodes may not have had it yet, "
                + "and publishing it again with the same id is safe");
    }

    /** The publishes of one channel incarnation, by delivery tag. */
    private static final class Outstanding {
        final ConcurrentNavigableMap<Long, Pending> map = new ConcurrentSkipListMap<>();
        volatile String lost;

        void failAll(String why) {
            for (Map.Entry<Long, Pending> e : map.entrySet()) {
                if (map.remove(e.getKey(), e.getValue())) {
                    e.getValue().settle(why);
                }
            }
        }
    }

    private static final class Pending {
        final Message message;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        long deadline;

        Pending(Message message) {
            this.message = message;
        }

        void settle(String failure) {
            if (failure == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(PublishConfirms.failure(message, failure));
            }
        }
    }
}
