package io.herald.core;

import io.herald.api.Lifecycle;
import io.herald.api.SessionListener;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of durable sessions (G3) on top of the {@link SessionStore}: opening, resuming, ending, and a
 * sweeper that finds expired sessions and tells the {@link SessionListener}s, exactly once per session
 * across the nodes that share the store.
 *
 * <p>Transports call {@link #open}, {@link #resume}, {@link #detach} when a connection drops (the TTL runs
 * from then) and {@link #end} when a client leaves on purpose. Thread-safe.
 */
@Singleton
public final class SessionService implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);

    private final SessionStore store;
    private final List<SessionListener> listeners;
    private final Duration ttl;
    private final Clock clock;
    private final EngineThreads threads;
    private ScheduledFuture<?> sweeper;

    @Inject
    public SessionService(SessionStore store, Set<SessionListener> listeners, Settings settings, Clock clock,
                          EngineThreads threads) {
        this.store = store;
        this.threads = threads;
        this.listeners = List.copyOf(listeners);
        this.ttl = settings.get(CoreSettings.SESSION_TTL);
        this.clock = clock;
    }

    /** The configured session TTL. */
    public Duration ttl() {
        return ttl;
    }

    /** The store, for transports that keep subscriptions and cursors in the session. */
    public SessionStore store() {
        return store;
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

    /** Keeps a session alive while its client is connected (or restarts its TTL when it drops). */
    public boolean detach(String id) {
        return store.touch(id, ttl);
    }

    /** Ends a session on purpose; its subscriptions and cursors are gone. */
    public void end(String id) {
        Optional<SessionRecord> session = store.find(id);
        if (store.delete(id)) {
            session.ifPresent(s -> notify(l -> l.ended(s)));
        }
    }

    /** Finds expired sessions now and reports them; the sweeper calls this periodically. */
    public int sweep() {
        List<SessionRecord> expired = store.purgeExpired(clock.instant());
        for (SessionRecord session : expired) {
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
        // The sweep may wait on a remote store: the timer only hands it to a worker.
        Runnable sweep = () -> {
            try {
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
