package io.herald.client;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's channels: what the application subscribed (rejoined after every reconnect and re-handshake),
 * what it unsubscribed while offline (told to the server at the next handshake), and two positions per concrete
 * channel: {@code received} (the newest handed to the dispatcher; used to drop repeats and acknowledged to the
 * server) and {@code handled} (the newest whose handlers returned; what survives a process restart).
 * The maps are touched on the protocol thread, except {@code handled}, written by the handler thread.
 */
final class Subscriptions {

    /** One application subscription. */
    static final class Subscription {
        final ChannelName channel;
        final MessageHandler handler;
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();

        Subscription(ChannelName channel, MessageHandler handler) {
            this.channel = channel;
            this.handler = handler;
        }
    }

    final Map<ChannelName, Subscription> active = new LinkedHashMap<>();
    final Set<ChannelName> leftOffline = new LinkedHashSet<>();
    /**
     * Concrete channels first seen through a pattern, each with that pattern: the client subscribes them
     * exactly too (from the position seen), because only exact subscriptions have a cursor on the server, so
     * a rejoin resumes them without loss. Their messages still go to the pattern's handler, once.
     */
    final Map<ChannelName, ChannelName> implied = new LinkedHashMap<>();
    final Map<String, Position> received = new LinkedHashMap<>();
    final Map<String, Position> handled = new ConcurrentHashMap<>();

    Subscriptions(Map<String, Position> restored) {
        received.putAll(restored);
        handled.putAll(restored);
    }

    /** The subscriptions a message on {@code channel} goes to, in subscription order. */
    List<Subscription> matching(ChannelName channel) {
        List<Subscription> matched = new ArrayList<>(1);
        for (Subscription s : active.values()) {
            if (s.channel.equals(channel) || (s.channel.isPattern() && s.channel.matches(channel))) {
                matched.add(s);
            }
        }
        return matched;
    }

    /** Forgets the positions of an exact channel nobody follows any more. */
    void forget(ChannelName channel) {
        if (!channel.isPattern()) {
            received.remove(channel.value());
            handled.remove(channel.value());
        }
    }
}
