package io.herald.presence;

/**
 * Told of every user-level presence change this node announces, besides its publication on the companion
 * channel: for audit logs, or an application's own bookkeeping. Each join and each leave is told once across
 * the cluster, on the node that announced it.
 *
 * <p>Bind with {@code Multibinder.newSetBinder(binder(), PresenceListener.class)}. Called on the thread that
 * subscribed, closed or swept; must be quick and must not throw (an exception is logged and ignored).
 */
public interface PresenceListener {

    /** A user came online on a channel. */
    default void joined(PresenceEvent event) {
    }

    /** A user went offline on a channel. */
    default void left(PresenceEvent event) {
    }
}
