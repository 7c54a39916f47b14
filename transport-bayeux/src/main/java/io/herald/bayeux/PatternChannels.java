package io.herald.bayeux;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.SessionSubscription;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Acknowledged delivery for the pattern subscriptions ({@code /a/*}, {@code /a/**}) of a client using the
 * acknowledgement extension. Core's ack window is per exact channel, so each channel a pattern delivers from
 * gets an acknowledged subscription of its own (key {@link #key}), recorded in the session like any other and
 * starting just before the first message the pattern brought from it. That subscription delivers the message
 * and everything after it on the channel, in order, in the batches the client acknowledges, redelivered after a
 * lost batch or a cut; the pattern's own copies are dropped. Not thread-safe: used under the client's lock,
 * within its drains.
 */
final class PatternChannels {

    private final BayeuxServer server;
    private final BayeuxClient client;
    /** A channel got its subscription during the current drain: its replay is queued, drain again. */
    private boolean handedOver;

    PatternChannels(BayeuxServer server, BayeuxClient client) {
        this.server = server;
        this.client = client;
    }

    /** The key of the subscription {@code channel} gets under {@code pattern}; a space never occurs in a channel name. */
    static String key(ChannelName pattern, ChannelName channel) {
        return pattern.value() + " " + channel.value();
    }

    /** The pattern a {@link #key} belongs to, or null for a key that is a channel's own. */
    static String patternOf(String key) {
        int space = key.indexOf(' ');
        return space < 0 ? null : key.substring(0, space);
    }

    /**
     * {@code pattern} delivers {@code message}. A copy past where the channel's acknowledged subscription (its own
     * or the pattern's for it) has been written is dropped, that subscription brings it; one at or before stays
     * with the pattern (the client's filter drops it when written already). A channel without one gets it now.
     *
     * @return whether this copy is dropped; false when the channel cannot get a subscription (too many channels,
     *     or refused): this copy is delivered without acknowledgement
     */
    boolean handOver(Connection connection, ConnectionSubscription pattern, Message message) {
        ChannelName channel = message.channel();
        ConnectionSubscription own = connection.subscription(channel.value());
        if (own == null || !own.ackMode().acknowledged()) {
            own = connection.subscription(key(pattern.channel(), channel));
        }
        if (own != null) {
            Position written = own.cursor();
            return written == null || !written.sameEpoch(message.position()) || message.offset() > written.offset();
        }
        if (connection.subscriptions().size() >= BayeuxClient.MAX_ACKED_CHANNELS) {
            return false;
        }
        try {
            server.subscribe(client, key(pattern.channel(), channel), channel, before(message));
            handedOver = true;
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether a channel got its subscription since the last call (its replay is queued). */
    boolean handedOver() {
        boolean was = handedOver;
        handedOver = false;
        return was;
    }

    /**
     * Before {@code connection} closes with messages still queued (a lost batch, the node letting the client go):
     * a pattern's channel without a subscription yet gets one in the session, starting before its first queued
     * message, so the next connection replays it rather than losing it with the queue. What exact channels had
     * queued is left to the session's cursors and unacked windows, which bring it again.
     */
    void keepQueued(Connection connection) {
        if (connection.isIdle()) {
            return;
        }
        Map<String, SessionSubscription> kept = new HashMap<>();
        connection.drain(Integer.MAX_VALUE, new Connection.Items() {
            @Override
            public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
                if (!subscription.channel().isPattern()) {
                    return;
                }
                String key = key(subscription.channel(), message.channel());
                if (connection.subscription(key) == null && connection.subscription(message.channel().value()) == null
                        && !kept.containsKey(key)
                        && connection.subscriptions().size() + kept.size() < BayeuxClient.MAX_ACKED_CHANNELS) {
                    kept.put(key, new SessionSubscription(key, message.channel(), true, before(message), List.of()));
                }
            }

            @Override
            public void gap(ConnectionSubscription subscription, Gap gap) {
            }
        });
        for (SessionSubscription subscription : kept.values()) {
            try {
                server.sessions.store().subscribe(client.id(), subscription);
            } catch (RuntimeException e) {
                // The session is gone or the store unreachable: the pattern's reset notice tells the client.
            }
        }
    }

    private static Position before(Message message) {
        return new Position(message.position().epoch(), message.offset() - 1);
    }
}
