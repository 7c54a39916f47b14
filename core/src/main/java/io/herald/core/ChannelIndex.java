package io.herald.core;

import io.herald.api.ChannelName;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Values registered under channels and patterns, found by the channels they match.
 *
 * <p>Exact channels sit in a hash map; patterns sit in a trie of their fixed segments, so matching a channel
 * costs one lookup plus one step per segment, whatever the number of unrelated registrations. Reads never
 * lock and see a consistent set per node (copy-on-write arrays); writes are serialized. Thread-safe.
 *
 * @param <T> the registered values; compared by identity on removal
 */
public final class ChannelIndex<T> {

    private static final Object[] NONE = new Object[0];

    private final Map<ChannelName, Object[]> exact = new ConcurrentHashMap<>();
    private final Node root = new Node();

    private static final class Node {
        final Map<String, Node> children = new ConcurrentHashMap<>();
        volatile Object[] one = NONE;
        volatile Object[] deep = NONE;

        boolean isEmpty() {
            return children.isEmpty() && one.length == 0 && deep.length == 0;
        }
    }

    /** Registers {@code value} under {@code nameOrPattern}. */
    public synchronized void add(ChannelName nameOrPattern, T value) {
        if (!nameOrPattern.isPattern()) {
            exact.merge(nameOrPattern, new Object[] {value}, ChannelIndex::concat);
            return;
        }
        Node node = root;
        for (String segment : prefix(nameOrPattern)) {
            node = node.children.computeIfAbsent(segment, s -> new Node());
        }
        if (nameOrPattern.wildcard() == ChannelName.Wildcard.ONE) {
            node.one = concat(node.one, new Object[] {value});
        } else {
            node.deep = concat(node.deep, new Object[] {value});
        }
    }

    /** Removes one registration of {@code value} under {@code nameOrPattern}; {@code false} if there was none. */
    public synchronized boolean remove(ChannelName nameOrPattern, T value) {
        if (!nameOrPattern.isPattern()) {
            Object[] values = exact.get(nameOrPattern);
            Object[] rest = without(values, value);
            if (rest == values) {
                return false;
            }
            if (rest.length == 0) {
                exact.remove(nameOrPattern);
            } else {
                exact.put(nameOrPattern, rest);
            }
            return true;
        }
        var segments = prefix(nameOrPattern);
        Node[] path = new Node[segments.size() + 1];
        path[0] = root;
        for (int i = 0; i < segments.size(); i++) {
            path[i + 1] = path[i].children.get(segments.get(i));
            if (path[i + 1] == null) {
                return false;
            }
        }
        Node node = path[segments.size()];
        boolean one = nameOrPattern.wildcard() == ChannelName.Wildcard.ONE;
        Object[] values = one ? node.one : node.deep;
        Object[] rest = without(values, value);
        if (rest == values) {
            return false;
        }
        if (one) {
            node.one = rest;
        } else {
            node.deep = rest;
        }
        // Prune emptied nodes so that churn of unique patterns does not leak.
        for (int i = segments.size(); i > 0 && path[i].isEmpty(); i--) {
            path[i - 1].children.remove(segments.get(i - 1), path[i]);
        }
        return true;
    }

    /** Calls {@code action} for every value whose channel or pattern matches the exact {@code channel}. */
    @SuppressWarnings("unchecked")
    public void forEachMatch(ChannelName channel, Consumer<? super T> action) {
        Object[] values = exact.get(channel);
        if (values != null) {
            for (Object v : values) {
                action.accept((T) v);
            }
        }
        forEachPatternMatch(channel, action);
    }

    /** Like {@link #forEachMatch} but only for values registered under patterns. */
    @SuppressWarnings("unchecked")
    public void forEachPatternMatch(ChannelName channel, Consumer<? super T> action) {
        var segments = channel.segments();
        int n = segments.size();
        Node node = root;
        // A pattern with d fixed segments matches when they are the channel's first d and the channel has
        // exactly one more (*) or at least one more (**).
        for (int d = 1; d < n; d++) {
            node = node.children.get(segments.get(d - 1));
            if (node == null) {
                return;
            }
            for (Object v : node.deep) {
                action.accept((T) v);
            }
            if (n == d + 1) {
                for (Object v : node.one) {
                    action.accept((T) v);
                }
            }
        }
    }

    /** Whether anything matches {@code channel}. */
    public boolean hasMatch(ChannelName channel) {
        boolean[] found = {false};
        forEachMatch(channel, v -> found[0] = true);
        return found[0];
    }

    /** The values registered under exactly {@code channel} (not patterns), as a snapshot. */
    @SuppressWarnings("unchecked")
    public T[] exactValues(ChannelName channel, T[] empty) {
        Object[] values = exact.get(channel);
        return values == null ? empty : (T[]) Arrays.copyOf(values, values.length, empty.getClass());
    }

    private static java.util.List<String> prefix(ChannelName pattern) {
        var segments = pattern.segments();
        return segments.subList(0, segments.size() - 1);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private static Object[] without(Object[] values, Object value) {
        if (values == null) {
            return null;
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                Object[] rest = new Object[values.length - 1];
                System.arraycopy(values, 0, rest, 0, i);
                System.arraycopy(values, i + 1, rest, i, values.length - i - 1);
                return rest;
            }
        }
        return values;
    }
}
