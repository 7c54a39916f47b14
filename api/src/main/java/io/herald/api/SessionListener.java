package io.herald.api;

/**
 * Learns the life of durable sessions, so an application knows when a recoverable session is finally gone
 * (the need behind socket.io#5250).
 *
 * <p>Every method has a no-op default; implement what you need. Listeners are called in registration
 * order, on Herald's threads, and must not block. A listener that throws is logged and skipped.
 */
public interface SessionListener {

    /** A new session began. */
    default void created(SessionRecord session) {
    }

    /** A client came back to its session on a new connection. */
    default void resumed(SessionRecord session) {
    }

    /** The session ended on purpose: the client left (disconnect, unsubscribe-all). */
    default void ended(SessionRecord session) {
    }

    /** The session's TTL ran out with no client coming back: it is gone for good. */
    default void expired(SessionRecord session) {
    }
}
