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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Acknowledged delivery for the pattern subscriptions ({@code /a/*}, {@code /a/**}) of a client using the
 * acknowledgement extension. Core's ack window is per exact channel, so each channel a pattern delivers from
 * gets an acknowledged subscription of its own (key {@link #key}), recorded in the session like any other and
 * starting just before the first message the pattern brought from it. That subscription delivers the message
 * and everything after it on the channel, in order, in the batches the client acknowledges, redelivered after a
 * lost batch or a cut; the pattern's own copies are dropped. A pattern's message that finds the outbox full
 * is noted instead ({@link #overflowed}, called by the engine), and the channel's subscription starts before it,
 * so a full outbox need not cut the client off. Not thread-safe, except {@link #overflowed}: used under the
 * client's lock, within its drains.
 */
final class PatternChannels {

    private final BayeuxServer server;
    private final BayeuxClient client;
    /** A channel got its subscription during the current drain: its replay is queued, drain again. */
    private boolean handedOver;
    /**
     * Per {@link #key}, the first message a pattern had for a channel without a subscription of its own while the
     * outbox was full ({@link #overflowed}): the subscription the channel gets starts before it. Written by the
     * engine's threads, taken under the client's lock; it outlives a connection, so the next one takes what came
     * while the last one closed.
     */
    private final Map<String, Message> overflowed = new ConcurrentHashMap<>();

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
        ConnectionSubscription own = own(connection, pattern.channel(), channel);
        if (own != null) {
            Position written = own.cursor();
            return written == null || !written.sameEpoch(message.position()) || message.offset() > written.offset();
        }
        if (connection.subscriptions().size() >= BayeuxClient.MAX_ACKED_CHANNELS) {
            return false;
        }
        String key = key(pattern.channel(), channel);
        // A later copy of a channel whose earlier message overflowed meanwhile: start before the earlier one.
        Message first = earlier(overflowed.remove(key), message);
        try {
            server.subscribe(client, key, channel, before(first));
            handedOver = true;
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code pattern} had {@code message} for a channel while the outbox was full: noted, so that the channel's
     * subscription brings it from history ({@link #takeOverflowed}) rather than the connection being cut off.
     * Never blocks (the engine calls it with a feed locked).
     *
     * @return false when this client already has as many channels as it may acknowledge: cut off, as before
     */
    boolean overflowed(ConnectionSubscription pattern, Message message) {
        String key = key(pattern.channel(), message.channel());
        if (!overflowed.containsKey(key) && overflowed.size() >= BayeuxClient.MAX_ACKED_CHANNELS) {
            return false;
        }
        overflowed.putIfAbsent(key, message);
        return true;
    }

    /**
     * Gives each channel noted by {@link #overflowed} its subscription on {@code connection}, starting before the
     * first message that overflowed (a channel that got one meanwhile has it brought by that one). Called only
     * with nothing queued: a copy of the channel still queued, earlier than the one that overflowed, starts the
     * subscription before itself when {@link #handOver handed over}; started at the overflow, the subscription
     * would leave it to go out unacknowledged, lost with a lost reply.
     *
     * @return false when one could not be subscribed (refused, or too many channels): its messages may be missed
     */
    boolean takeOverflowed(Connection connection) {
        boolean all = true;
        for (String key : List.copyOf(overflowed.keySet())) {
            Message first = overflowed.remove(key);
            String pattern = patternOf(key);
            if (first == null || connection.subscription(pattern) == null
                    || own(connection, ChannelName.of(pattern), first.channel()) != null) {
                continue; // unsubscribed meanwhile, or its subscription brings it
            }
            if (connection.subscriptions().size() >= BayeuxClient.MAX_ACKED_CHANNELS) {
                all = false;
                continue;
            }
            try {
                server.subscribe(client, key, first.channel(), before(first));
                handedOver = true;
            } catch (RuntimeException e) {
                all = false;
            }
        }
        return all;
    }

    /** The acknowledged subscription bringing {@code channel}: its own, or the one {@code pattern} gave it; or null. */
    private static ConnectionSubscription own(Connection connection, ChannelName pattern, ChannelName channel) {
        ConnectionSubscription own = connection.subscription(channel.value());
        if (own == null || !own.ackMode().acknowledged()) {
            own = connection.subscription(key(pattern, channel));
        }
        return own;
    }

    private static Message earlier(Message a, Message b) {
        if (a == null) {
            return b;
        }
        return a.position().sameEpoch(b.position()) && a.offset() < b.offset() ? a : b;
    }

    /** Whether a channel got its subscription since the last call (its replay is queued). */
    boolean handedOver() {
        boolean was = handedOver;
        handedOver = false;
        return was;
    }

    /**
     * {@code connection} replaced {@code old}, whose patterns were subscribed on both for a moment (see
     * {@code BayeuxClient.restart}): each channel a pattern of {@code old} had queued a message from, without an
     * acknowledged subscription on {@code connection}, gets one there, starting before the first such message
     * (or an earlier one that overflowed). What {@code old}'s channel subscriptions had queued is left to the
     * session's cursors and unacked windows, which brought it again on {@code connection}.
     */
    void handOverQueued(Connection old, Connection connection) {
        old.drain(Integer.MAX_VALUE, new Connection.Items() {
            @Override
            public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
                if (subscription.channel().isPattern() && connection.subscription(subscription.key()) != null) {
                    handOver(connection, subscription, message);
                }
            }

            @Override
            public void gap(ConnectionSubscription subscription, Gap gap) {
            }
        });
    }

    /**
     * Before {@code connection} closes with messages still queued (the node letting the client go; a restart after
     * a lost batch hands over to the next connection instead, {@link #handOverQueued}):
     * a pattern's channel without a subscription yet gets one in the session, starting before its first queued
     * message (or the first that overflowed), so the next connection replays it rather than losing it with the
     * queue. What exact channels had queued is left to the session's cursors and unacked windows, which bring it
     * again.
     */
    void keepQueued(Connection connection) {
        Map<String, SessionSubscription> kept = new HashMap<>();
        for (String key : List.copyOf(overflowed.keySet())) {
            Message first = overflowed.get(key);
            String pattern = patternOf(key);
            if (first != null && connection.subscription(pattern) != null
                    && own(connection, ChannelName.of(pattern), first.channel()) == null
                    && connection.subscriptions().size() + kept.size() < BayeuxClient.MAX_ACKED_CHANNELS) {
                kept.put(key, new SessionSubscription(key, first.channel(), true, before(first), List.of()));
                overflowed.remove(key, first);
            }
        }
        connection.drain(Integer.MAX_VALUE, new Connection.Items() {
            @Override
            public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
                if (!subscription.channel().isPattern()) {
                    return;
                }
                String key = key(subscription.channel(), message.channel());
                if (connection.subscription(key) != null || connection.subscription(message.channel().value()) != null) {
                    return;
                }
                SessionSubscription had = kept.get(key);
                Position start = before(message);
                if (had == null ? connection.subscriptions().size() + kept.size() < BayeuxClient.MAX_ACKED_CHANNELS
                        : start.sameEpoch(had.cursor()) && start.offset() < had.cursor().offset()) {
                    // (Earlier than what overflowed after it: queued before the outbox filled.)
                    kept.put(key, new SessionSubscription(key, message.channel(), true, start, List.of()));
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
