package io.herald.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable sessions (G3): a client identity that outlives its connection for a TTL, with its subscriptions,
 * their cursors and, for acknowledged subscriptions, the unacked window (G4).
 *
 * <p><b>Expiry.</b> A session expires {@code ttl} after it was created or last {@linkplain #touch touched}.
 * An expired session is gone for every method: {@link #find} no longer returns it and the mutators throw
 * {@link SessionUnknownException}. {@link #purgeExpired} hands each expired session out exactly once,
 * across all nodes sharing the store, so that exactly one node reports it to the session listeners.
 *
 * <p><b>Cursors</b> only move forward within an epoch; a cursor from a new epoch replaces the old one.
 *
 * <p><b>Unacked window.</b> {@link #delivered} records a delivery only while fewer than {@code window}
 * positions are unacked, so the window is bounded (G6).
 *
 * <p>Implementations are thread-safe and atomic per call.
 */
public interface SessionStore {

    /** Creates a session for {@code principal} with a fresh, unguessable id. */
    SessionRecord create(String principal, Duration ttl);

    /** The session, unless it is unknown or expired. */
    Optional<SessionRecord> find(String id);

    /** Extends the session's life to {@code ttl} from now; {@code false} if it is unknown or expired. */
    boolean touch(String id, Duration ttl);

    /**
     * Adds or replaces a subscription of the session.
     *
     * @throws SessionUnknownException if the session is unknown or expired
     */
    void subscribe(String id, SessionSubscription subscription);

    /**
     * Removes a subscription; {@code false} if it did not exist.
     *
     * @throws SessionUnknownException if the session is unknown or expired
     */
    boolean unsubscribe(String id, String key);

    /**
     * Moves the subscription's cursor to {@code cursor}, unless it is already further in the same epoch.
     *
     * @throws SessionUnknownException if the session is unknown or expired
     * @throws IllegalArgumentException if the subscription does not exist
     */
    void advance(String id, String key, Position cursor);

    /**
     * Records that {@code position} was delivered and awaits an ack, and advances the cursor to it.
     *
     * @return {@code false}, recording nothing, when {@code window} positions are already unacked
     * @throws SessionUnknownException if the session is unknown or expired
     * @throws IllegalArgumentException if the subscription does not exist
     */
    boolean delivered(String id, String key, Position position, int window);

    /**
     * Acknowledges {@code position}; with {@code cumulative}, every unacked position up to it as well.
     *
     * @return how many unacked positions were removed (0 for an unknown position: acking twice is harmless)
     * @throws SessionUnknownException if the session is unknown or expired
     */
    int acknowledge(String id, String key, Position position, boolean cumulative);

    /** Ends the session for good (a client that left on purpose); {@code false} if it did not exist. */
    boolean delete(String id);

    /**
     * Removes the sessions that expired by {@code now} and returns them; each expired session is returned by
     * exactly one call, whichever node makes it.
     */
    List<SessionRecord> purgeExpired(Instant now);
}
