package io.herald.stomp;

import io.herald.core.AckMode;
import io.herald.core.ClientSession;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;

/**
 * One SUBSCRIBE of a {@link StompConnection}: the client's id and destination, and where it lives in core.
 * A plain subscription is a subscription of the STOMP connection's own core connection, under the key
 * {@link #index}; a durable one has a durable {@link ClientSession} of its own (keyed by principal,
 * destination and id, see {@link DurableSubscriptions}) whose core connection holds it under
 * {@link #DURABLE_KEY}, so it outlives the STOMP connection. Fields are set before the subscription is
 * registered in core, and {@link #core} right after; safe to read from the writer.
 */
final class StompSubscription {

    /** The key of the one subscription of a durable subscription's session. */
    static final String DURABLE_KEY = "stomp";

    final StompSubscriptions owner;
    final int index;
    final String id;
    final String destinationHeader;
    final StompDestination destination;
    final AckMode ack;
    final int window;
    final DurableSubscriptions.Key durableKey;
    volatile Connection connection;
    volatile ClientSession durableSession;
    volatile ConnectionSubscription core;
    /**
     * A durable subscription's {@code x-queue-name}: the name of its backlog when the node keeps one (the
     * RabbitMQ broker's durable queues), else ignored; {@code null} for the backlog's default name.
     */
    volatile String queueName;

    StompSubscription(StompSubscriptions owner, int index, String id, String destinationHeader, StompDestination destination, AckMode ack, int window,
                      DurableSubscriptions.Key durableKey) {
        this.owner = owner;
        this.index = index;
        this.id = id;
        this.destinationHeader = destinationHeader;
        this.destination = destination;
        this.ack = ack;
        this.window = window;
        this.durableKey = durableKey;
    }

    boolean queue() {
        return destination.kind() == StompDestination.Kind.QUEUE;
    }

    boolean durable() {
        return durableKey != null;
    }

    /** The key of this subscription in its core connection. */
    String coreKey() {
        return durable() ? DURABLE_KEY : Integer.toString(index);
    }
}
