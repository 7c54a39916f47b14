package io.herald.stomp;

import io.herald.api.Principal;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.core.ClientSession;
import io.herald.core.SessionService;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable STOMP subscriptions this node knows, RabbitMQ style: one per (principal, destination,
 * subscription id), as DESIGN.md pins it. Each is a durable core session holding one subscription, so its
 * cursor and unacked window live in the session store and it outlives the connection for the session TTL;
 * this map only finds the session again from the key a reconnecting client presents.
 *
 * <p>A key is held by at most one live STOMP connection: a client that reconnects before the server saw its
 * old connection die takes the subscription over ({@link #attach}); the old connection's attachment ends
 * first, so the new one resumes from everything the old one had not had acked.
 *
 * <p>The key finds its session through the session store: the session is {@linkplain SessionService#claimDurable
 * named} after the key, so a client that comes back to another node, or to this one restarted, resumes the
 * same subscription on a shared or persistent store (G5), and two nodes subscribing with one key at once
 * agree on one session. Taking a subscription over from a connection that still lives on another node is not
 * coordinated: both deliver until that one drops, and acks from either settle the shared window.
 *
 * <p>A shared queue's session ({@link StompQueue}, principal {@link Principal#SERVER}) stays this node's
 * own: each node dispatches its queues to its own consumers, so they must not share a cursor. Thread-safe.
 */
@Singleton
final class DurableSubscriptions implements SessionListener {

    /** What identifies a durable subscription. */
    record Key(String principal, String destination, String id) {

        /**
         * The session name of this key: a digest, so that any destination and id fit the store's name length,
         * with each part's length in it, so that no two keys run together into one name.
         */
        String sessionName() {
            String whole = principal.length() + ":" + principal + destination.length() + ":" + destination + id;
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(whole.getBytes(StandardCharsets.UTF_8));
                return "stomp-durable:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }
    }

    // A provider: the session service is told of expiries through this listener, so each needs the other.
    private final Provider<SessionService> sessions;
    /** The sessions of the keys this node opened and that live: queues' only record, and for stats. */
    private final Map<Key, String> sessionIds = new ConcurrentHashMap<>();
    private final Map<Key, StompConnection> holders = new ConcurrentHashMap<>();

    @Inject
    DurableSubscriptions(Provider<SessionService> sessions) {
        this.sessions = sessions;
    }

    /**
     * Makes {@code holder} the one connection of {@code key}, ending another connection's attachment first.
     */
    void attach(Key key, StompConnection holder) {
        StompConnection previous = holders.put(key, holder);
        if (previous != null && previous != holder) {
            previous.release(key);
        }
    }

    /** {@code holder} lets go of {@code key}, unless another connection took it over meanwhile. */
    void detach(Key key, StompConnection holder) {
        holders.remove(key, holder);
    }

    /**
     * The session of {@code key}: resumed while it lives, else a new one.
     *
     * @throws io.herald.api.StoreException if the store cannot be reached
     */
    ClientSession session(Key key, Principal principal) {
        if (principal != Principal.SERVER) {
            ClientSession claimed = sessions.get().claimDurable(key.sessionName(), principal);
            sessionIds.put(key, claimed.id());
            return claimed;
        }
        synchronized (this) {
            String id = sessionIds.get(key);
            if (id != null) {
                Optional<ClientSession> resumed = sessions.get().resume(id, principal);
                if (resumed.isPresent()) {
                    return resumed.get();
                }
            }
            ClientSession opened = sessions.get().openDurable(principal);
            sessionIds.put(key, opened.id());
            return opened;
        }
    }

    /** The session id of {@code key}, if this node opened one that still lives. */
    Optional<String> sessionId(Key key) {
        return Optional.ofNullable(sessionIds.get(key));
    }

    /**
     * Ends the durable subscription, wherever it was made: its session and everything it kept are deleted.
     * (Only subscriptions are deleted: a queue outlives its consumers.)
     */
    void delete(Key key) {
        sessionIds.remove(key);
        sessions.get().endNamed(key.sessionName());
    }

    /** How many durable subscriptions (and queues) this node opened that still live. */
    int size() {
        return sessionIds.size();
    }

    @Override
    public void expired(SessionRecord session) {
        sessionIds.values().remove(session.id());
    }

    @Override
    public void ended(SessionRecord session) {
        sessionIds.values().remove(session.id());
    }
}
