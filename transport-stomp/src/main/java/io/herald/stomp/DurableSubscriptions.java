package io.herald.stomp;

import io.herald.api.Principal;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.core.ClientSession;
import io.herald.core.SessionService;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
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
 * <p>The key-to-session map is kept on this node: a durable subscription resumes on the node it was made
 * on (or, after that node restarted, starts over). Thread-safe.
 */
@Singleton
final class DurableSubscriptions implements SessionListener {

    /** What identifies a durable subscription. */
    record Key(String principal, String destination, String id) {
    }

    // A provider: the session service is told of expiries through this listener, so each needs the other.
    private final Provider<SessionService> sessions;
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

    /** The session id of {@code key}, if this node knows one. */
    Optional<String> sessionId(Key key) {
        return Optional.ofNullable(sessionIds.get(key));
    }

    /** Ends the durable subscription: its session and everything it kept are deleted. */
    void delete(Key key) {
        String id = sessionIds.remove(key);
        if (id != null) {
            sessions.get().end(id);
        }
    }

    /** How many durable subscriptions this node knows. */
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
