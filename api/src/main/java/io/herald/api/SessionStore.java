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
 * <p><b>Names.</b> A session may be made under a stable name ({@link #claim}), which a client presents instead
 * of the session id, so that whichever node it reconnects to finds the same session (G5): a STOMP durable
 * subscription is one named session. A name is bound to at most one live session at a time, across all nodes
 * sharing the store. The binding lasts as long as its session: once the session is deleted or expired the
 * name is free again, so {@link #findNamed} returns nothing and the next claim makes a new session; purging
 * or deleting that old session later never unbinds the name from a newer one. Names are 1 to
 * {@value #MAX_NAME_LENGTH} characters; the store compares them exactly (case and all) and does not compare
 * principals: a caller that wants a name per principal puts the principal into the name.
 *
 * <p>Implementations are thread-safe and atomic per call.
 */
public interface SessionStore {

    /** The longest session name a store takes. */
    int MAX_NAME_LENGTH = 255;

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

    /**
     * The live session named {@code name}, its life extended to {@code ttl} from now; or, when no live session
     * has that name, a new session for {@code principal} with a fresh id, bound to the name. Atomic across
     * every node sharing the store: callers racing with one name all get the same session, and exactly one of
     * them gets {@link SessionClaim#created()}. A found session keeps the principal it was created for.
     *
     * @throws IllegalArgumentException if the name is empty or longer than {@link #MAX_NAME_LENGTH}
     */
    SessionClaim claim(String name, String principal, Duration ttl);

    /** The live session bound to {@code name}, without extending its life; empty for none (or a bad name). */
    Optional<SessionRecord> findNamed(String name);

    /** Ends the session for good (a client that left on purpose); {@code false} if it did not exist. */
    boolean delete(String id);

    /**
     * Removes the sessions that expired by {@code now} and returns them; each expired session is returned by
     * exactly one call, whichever node makes it.
     */
    List<SessionRecord> purgeExpired(Instant now);

    /**
     * Whether every call returns without waiting: for the network, a database, or a lock held across either.
     * Only a store that keeps sessions in this process can say so; then a caller on a thread that must never
     * block (an I/O selector) may call it. The default is {@code false}.
     */
    default boolean answersWithoutWaiting() {
        return false;
    }

    /**
     * {@code name} if it is a valid session name, for implementations of {@link #claim}.
     *
     * @throws IllegalArgumentException if it is empty or longer than {@link #MAX_NAME_LENGTH}
     */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a session name has 1 to " + MAX_NAME_LENGTH + " characters, not "
                    + (name == null ? "none" : name.length()));
        }
        return name;
    }
}
