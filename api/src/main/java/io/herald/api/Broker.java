package io.herald.api;

import java.util.concurrent.CompletableFuture;

/**
 * Fan-out of messages between the nodes of a cluster (G5). Every node subscribes for the channels its
 * clients listen to, and receives every message published to them on any node.
 *
 * <p><b>Contract.</b> A listener receives the messages of one channel in the order {@link #publish} was
 * called for them, unless it is told by {@link Listener#onResync()} that messages may have been lost
 * (connection to a remote broker dropped). Delivery is at most once per subscription; the engine fills any
 * hole from {@link HistoryStore}, so a broker may lose messages but must then say so.
 * {@link #subscribe} returns only once the subscription is active: a message published after it returns
 * reaches the listener.
 *
 * <p>A history store may publish from inside its own {@link HistoryStore#append} (atomically, as the Redis
 * store does); it says so with {@link HistoryStore#publishesTo}, and the engine then skips {@link #publish}
 * for that broker. {@link #publish} itself always publishes: a broker is chosen independently of the store.
 *
 * <p>Listeners are called from the broker's threads and must not block for long. Thread-safe.
 */
public interface Broker {

    /** Sends {@code message} to every node subscribed to its channel, this one included. */
    void publish(Message message);

    /**
     * Sends {@code message} as {@link #publish} does, and tells when the broker has taken responsibility for
     * it (RabbitMQ: a publisher confirm). The engine completes a publish only once this future has completed,
     * so a publisher is told of a message the broker lost on its way in.
     *
     * <p><b>Contract.</b> Calls for one channel are made in position order, and the broker keeps that order
     * exactly as for {@link #publish}; a call must not wait for the broker (many may be in flight: confirms
     * are pipelined, never one round trip per message). The future completes normally once the broker holds
     * the message, or exceptionally with a {@link StoreException} naming the channel and position when the
     * broker refused it, did not confirm it in time or lost its connection first; a message whose future failed
     * may still have been delivered (its fate is unknown, as after any timeout). The future may complete on a
     * broker thread: what runs on it must be quick.
     *
     * <p>The default calls {@link #publish} and returns a completed future, or a failed one if it threw: right
     * for a broker whose {@code publish} returns only once the message is safe, or that has no confirms.
     */
    default CompletableFuture<Void> publishAsync(Message message) {
        try {
            publish(message);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether {@link #publishAsync} always returns without waiting (for the network, for a confirm window, for a
     * lock held across either), delivering to this node's listeners at most: a broker inside this process. A
     * caller on a thread that must never block (an I/O selector) may publish there only then. The default is
     * {@code false}.
     */
    default boolean publishesWithoutWaiting() {
        return false;
    }

    /**
     * Subscribes {@code listener} to a channel or pattern.
     *
     * @return a handle that cancels the subscription
     * @throws StoreException if a remote broker cannot be reached
     */
    Subscription subscribe(ChannelName channelOrPattern, Listener listener);

    /** Receives messages from the broker. */
    interface Listener {
        /** A message published to a subscribed channel. */
        void onMessage(Message message);

        /**
         * Messages may have been lost since the last one received (the connection to a remote broker
         * dropped and is back): re-read every subscribed channel from history.
         */
        default void onResync() {
        }
    }

    /** An active broker subscription. */
    interface Subscription extends AutoCloseable {
        /** Cancels it; idempotent. */
        @Override
        void close();
    }
}
