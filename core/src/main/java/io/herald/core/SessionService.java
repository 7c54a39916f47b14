package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Lifecycle;
import io.herald.api.Principal;
import io.herald.api.SessionClaim;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client sessions and their connections: the layer every transport stands on.
 *
 * <p>A transport gets a {@link ClientSession} ({@link #ephemeral}, {@link #openDurable} or
 * {@link #resume(String, Principal)}), then a {@link Connection} for each live link ({@link #connect}), and
 * only decodes and encodes frames. Durable sessions (G3) live in the {@link SessionStore}: while a session has
 * a live connection on this node its expiry is renewed every third of the TTL, however long the connection
 * lasts, and its TTL runs from when its last connection ends; {@link #end} is a client leaving on purpose. One
 * timer does both for every session: it renews the live ones, then finds expired sessions and tells the
 * {@link SessionListener}s, exactly once per session across the nodes that share the store. A session that
 * ends or expires takes its subscriptions' {@link io.herald.api.SubscriptionBacklog backlogs} with it.
 * Thread-safe.
 */
@Singleton
public final class SessionService implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);

    private final SessionStore store;
    private final List<SessionListener> listeners;
    private final Duration ttl;
    private final Clock clock;
    private final EngineThreads threads;
    private final Engine engine;
    private final List<ConnectionListener> connectionListeners;
    private final int queue;
    /** Durable sessions with a live connection on this node, by id: renewed by the timer until the last ends. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final SessionBacklogs backlogs;
    private ScheduledFuture<?> sweeper;

    /**
     * A durable session's live connections on this node and when its expiry was last renewed, in the clock's
     * milliseconds (an {@link Instant} of its own would be 24 bytes more per connected session).
     */
    private static final class Live {
        int connections;
        volatile long renewed;

        Live(long renewed) {
            this.renewed = renewed;
        }
    }

    @Inject
    public SessionService(SessionStore store, Set<SessionListener> listeners, Settings settings, Clock clock,
                          EngineThreads threads, Engine engine, Set<ConnectionListener> connectionListeners) {
        this.store = store;
        this.threads = threads;
        this.engine = engine;
        this.connectionListeners = List.copyOf(connectionListeners);
        this.queue = settings.get(CoreSettings.SUBSCRIBER_QUEUE);
        this.listeners = List.copyOf(listeners);
        this.ttl = settings.get(CoreSettings.SESSION_TTL);
        this.clock = clock;
        this.backlogs = new SessionBacklogs(engine);
    }

    /** The configured session TTL. */
    public Duration ttl() {
        return ttl;
    }

    /** The store, for transports that keep subscriptions and cursors in the session. */
    public SessionStore store() {
        return store;
    }

    /** A session that lives as long as its one connection and is never stored. */
    public ClientSession ephemeral(Principal principal) {
        return new ClientSession(RandomIds.session(), principal, false, null);
    }

    /**
     * A new durable session for {@code principal}, kept in the store for the TTL after its last connection.
     *
     * @throws io.herald.api.StoreException if the store cannot be reached
     */
    public ClientSession openDurable(Principal principal) {
        SessionRecord record = open(principal.name());
        return new ClientSession(record.id(), principal, true, record);
    }

    /**
     * Resumes the durable session {@code id} for {@code principal}; empty when it is unknown, expired or
     * belongs to another principal (which is not told apart from unknown, so ids cannot be probed).
     *
     * @throws io.herald.api.StoreException if the store cannot be reached
     */
    public Optional<ClientSession> resume(String id, Principal principal) {
        Optional<SessionRecord> found = store.find(id);
        if (found.isEmpty() || !found.get().principal().equals(principal.name())) {
            return Optional.empty();
        }
        return resume(id).map(record -> new ClientSession(record.id(), principal, true, record));
    }

    /**
     * The durable session named {@code name} (see {@link SessionStore#claim}), resumed with its TTL renewed
     * while it lives, else a new one for {@code principal}: whichever node a client comes back to, the same
     * name finds the same session (G5). The listeners hear of it as created or resumed.
     *
     * @throws IllegalStateException if the named session belongs to another principal: callers put the
     *         principal into the name, so this is a name collision, and nothing is handed out
     * @throws io.herald.api.StoreException if the store cannot be reached
     */
    public ClientSession claimDurable(String name, Principal principal) {
        SessionClaim claim = store.claim(name, principal.name(), ttl);
        SessionRecord record = claim.session();
        if (!record.principal().equals(principal.name())) {
            throw new IllegalStateException("the session named '" + name + "' belongs to another principal");
        }
        notify(claim.created() ? l -> l.created(record) : l -> l.resumed(record));
        return new ClientSession(record.id(), principal, true, record);
    }

    /**
     * Ends the durable session named {@code name}, if one lives.
     *
     * @return whether there was one
     * @throws io.herald.api.StoreException if the store cannot be reached
     */
    public boolean endNamed(String name) {
        Optional<SessionRecord> session = store.findNamed(name);
        session.ifPresent(s -> end(s.id()));
        return session.isPresent();
    }

    /**
     * A live connection of {@code session}. With {@code keepCursors}, a durable session stores each
     * subscription's cursor when the connection ends; a transport whose clients hold their own positions
     * (SSE's event ids) passes {@code false}.
     */
    public Connection connect(ClientSession session, Connection.Wire wire, boolean keepCursors) {
        if (session.durable()) {
            live.compute(session.id(), (id, l) -> {
                Live counted = l != null ? l : new Live(clock.millis());
                counted.connections++;
                return counted;
            });
        }
        return new Connection(this, session, wire, queue, keepCursors);
    }

    /** A connection of the durable session {@code id} ended: once it was the last, the TTL runs from now. */
    void disconnected(String id) {
        live.computeIfPresent(id, (k, l) -> --l.connections == 0 ? null : l);
        try {
            detach(id);
        } catch (RuntimeException e) {
            // Its expiry stays the last renewal's, at most a third of the TTL ago.
            LOG.warn("cannot restart the TTL of session {}: {}", id, e.getMessage());
        }
    }

    /**
     * Renews the expiry of every durable session with a live connection on this node whose last renewal is a
     * third of the TTL old or more; the timer calls this before each {@link #sweep}, so a session is never
     * purged while connected, however long its connection lasts.
     *
     * @return how many sessions were renewed
     */
    public int renewConnected() {
        long now = clock.millis();
        long due = now - ttl.dividedBy(3).toMillis();
        int renewed = 0;
        for (Map.Entry<String, Live> entry : live.entrySet()) {
            Live l = entry.getValue();
            if (l.renewed > due) {
                continue;
            }
            l.renewed = now;
            try {
                store.touch(entry.getKey(), ttl);
                renewed++;
            } catch (RuntimeException e) {
                // The store is unreachable now: the next tick tries again, well within the TTL.
                l.renewed = due;
                LOG.warn("cannot renew session {}: {}", entry.getKey(), e.getMessage());
            }
        }
        return renewed;
    }

    Engine engine() {
        return engine;
    }

    SessionBacklogs backlogs() {
        return backlogs;
    }

    EngineThreads threads() {
        return threads;
    }

    void joined(Connection connection, ChannelName channel) {
        for (ConnectionListener listener : connectionListeners) {
            try {
                listener.joined(connection, channel);
            } catch (RuntimeException e) {
                LOG.warn("connection listener {} failed on join of {}: {}", listener.getClass().getName(), channel, e.toString());
            }
        }
    }

    void left(Connection connection, ChannelName channel) {
        for (ConnectionListener listener : connectionListeners) {
            try {
                listener.left(connection, channel);
            } catch (RuntimeException e) {
                LOG.warn("connection listener {} failed on leave of {}: {}", listener.getClass().getName(), channel, e.toString());
            }
        }
    }

    /** Opens a new session for {@code principal}. */
    public SessionRecord open(String principal) {
        SessionRecord session = store.create(principal, ttl);
        notify(l -> l.created(session));
        return session;
    }

    /** Resumes a session by id, renewing its TTL; empty when unknown or expired. */
    public Optional<SessionRecord> resume(String id) {
        if (!store.touch(id, ttl)) {
            return Optional.empty();
        }
        Optional<SessionRecord> session = store.find(id);
        session.ifPresent(s -> notify(l -> l.resumed(s)));
        return session;
    }

    /** Restarts the session's TTL from now; {@code false} when it is unknown or expired. */
    public boolean detach(String id) {
        return store.touch(id, ttl);
    }

    /** Ends a session on purpose; its subscriptions and cursors are gone. */
    public void end(String id) {
        Optional<SessionRecord> session = store.find(id);
        if (store.delete(id)) {
            session.ifPresent(backlogs::ended);
            session.ifPresent(s -> notify(l -> l.ended(s)));
        }
    }

    /** Finds expired sessions now and reports them; the sweeper calls this periodically. */
    public int sweep() {
        List<SessionRecord> expired = store.purgeExpired(clock.instant());
        for (SessionRecord session : expired) {
            backlogs.ended(session);
            notify(l -> l.expired(session));
        }
        return expired.size();
    }

    @Override
    public int phase() {
        return ENGINE;
    }

    @Override
    public void start() {
        long period = Math.max(100, Math.min(1000, ttl.toMillis() / 4));
        // The sweep may wait on a remote store: the timer only hands it to a worker. Renewing first means a
        // connected session is renewed before any purge that could see it expired.
        Runnable sweep = () -> {
            try {
                renewConnected();
                sweep();
            } catch (RuntimeException e) {
                LOG.warn("session sweep failed: {}", e.getMessage());
            }
        };
        sweeper = threads.scheduler().scheduleWithFixedDelay(() -> threads.execute(sweep, () -> { }), period, period,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
    }

    private void notify(Consumer<SessionListener> event) {
        for (SessionListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("session listener {} failed: {}", listener.getClass().getName(), e.toString());
            }
        }
    }
}
