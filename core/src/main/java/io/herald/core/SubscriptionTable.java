package io.herald.core;

import io.herald.api.ChannelName;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection's subscriptions by key and, for plain ones (an exact channel without acknowledgement, at most one
 * per channel), by channel. Most connections hold one or a few subscriptions for their whole life, so up to
 * {@link #SMALL} live in one copy-on-write array, found by a scan; two hash maps, about 350 bytes more per
 * connection, are made only for a connection that subscribes beyond that. Reads take no lock and see a consistent
 * snapshot; writes are serialized on this table (the connection makes them under its membership lock anyway).
 */
final class SubscriptionTable {

    static final int SMALL = 8;
    private static final ConnectionSubscription[] NONE = new ConnectionSubscription[0];

    /** Beyond {@link #SMALL} subscriptions. */
    private record Maps(Map<String, ConnectionSubscription> byKey, Map<ChannelName, ConnectionSubscription> plainByChannel) {
    }

    /** Up to {@link #SMALL} subscriptions, replaced on each change; unused while {@link #maps} is set. */
    private volatile ConnectionSubscription[] small = NONE;
    private volatile Maps maps;

    /** The subscription under {@code key}, or {@code null}. */
    ConnectionSubscription get(String key) {
        Maps m = maps;
        if (m != null) {
            return m.byKey.get(key);
        }
        for (ConnectionSubscription s : small) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    /** The plain subscription to {@code channel}, or {@code null}. */
    ConnectionSubscription plain(ChannelName channel) {
        Maps m = maps;
        if (m != null) {
            return m.plainByChannel.get(channel);
        }
        for (ConnectionSubscription s : small) {
            if (s.plain && s.channel().equals(channel)) {
                return s;
            }
        }
        return null;
    }

    /** Adds {@code subscription} unless its key is taken, or it is plain and its channel has a plain one already. */
    synchronized boolean add(ConnectionSubscription subscription) {
        if (get(subscription.key()) != null || subscription.plain && plain(subscription.channel()) != null) {
            return false;
        }
        Maps m = maps;
        if (m == null && small.length < SMALL) {
            ConnectionSubscription[] grown = Arrays.copyOf(small, small.length + 1);
            grown[small.length] = subscription;
            small = grown;
            return true;
        }
        if (m == null) {
            m = new Maps(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
            for (ConnectionSubscription s : small) {
                put(m, s);
            }
            // The array stays: a reader that found no maps just before reads it, a snapshot from before this add.
            maps = m;
        }
        put(m, subscription);
        return true;
    }

    private static void put(Maps m, ConnectionSubscription s) {
        m.byKey.put(s.key(), s);
        if (s.plain) {
            m.plainByChannel.put(s.channel(), s);
        }
    }

    /** Removes {@code subscription} if it is the one held under its key (and channel). */
    synchronized void remove(ConnectionSubscription subscription) {
        Maps m = maps;
        if (m != null) {
            m.byKey.remove(subscription.key(), subscription);
            m.plainByChannel.remove(subscription.channel(), subscription);
            return;
        }
        ConnectionSubscription[] now = small;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == subscription) {
                ConnectionSubscription[] shrunk = new ConnectionSubscription[now.length - 1];
                System.arraycopy(now, 0, shrunk, 0, i);
                System.arraycopy(now, i + 1, shrunk, i, now.length - i - 1);
                small = shrunk.length == 0 ? NONE : shrunk;
                return;
            }
        }
    }

    /** Every subscription now (a snapshot for the array; the live view of the maps beyond it). */
    Collection<ConnectionSubscription> all() {
        Maps m = maps;
        return m != null ? m.byKey.values() : List.of(small);
    }

    /** Forgets every subscription; the next ones start small again. */
    synchronized void clear() {
        // In this order, a reader that finds no maps finds the empty array.
        small = NONE;
        maps = null;
    }
}
