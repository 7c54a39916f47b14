package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionRecord;
import io.herald.api.SessionSubscription;
import io.herald.api.SubscriptionBacklog;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link SubscriptionBacklog} names the durable sessions of this node use, so that a backlog is deleted
 * when its subscription ends: unsubscribed for good, or its session ended or expired.
 *
 * <p>A default name ({@link SubscriptionBacklog#defaultName}) is derived again from the session record, so it
 * is found on any node, after a restart too. A name the client chose is known on the node that opened it
 * until it restarts; after that the backend's own expiry (RabbitMQ's {@code x-expires}) removes it. A name
 * taken over by another session (a client that started over with the same name) belongs to that session and
 * is left alone when the first one expires. Thread-safe.
 */
final class SessionBacklogs {

    private static final Logger LOG = LoggerFactory.getLogger(SessionBacklogs.class);

    private final Engine engine;
    /** Session id to subscription key to backlog name. */
    private final Map<String, Map<String, String>> bySession = new ConcurrentHashMap<>();
    /** Backlog name to the session that uses it. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    SessionBacklogs(Engine engine) {
        this.engine = engine;
    }

    SubscriptionBacklog backlog() {
        return engine.backlog();
    }

    /**
     * The backlog name for subscription {@code key} of {@code session} to {@code channel}, checked; {@code null}
     * when nothing is kept (no backlog on this node, an ephemeral session, a pattern).
     *
     * @throws io.herald.api.InvalidRequestException for a requested name the backlog refuses
     */
    String name(ClientSession session, String key, ChannelName channel, String requested) {
        SubscriptionBacklog backlog = engine.backlog();
        if (!backlog.keeps() || !session.durable() || channel.isPattern()) {
            return null;
        }
        String name = requested != null ? requested : backlog.defaultName(session.id(), key);
        backlog.checkName(name);
        return name;
    }

    /** Opens {@code name} for the subscription and remembers whose it is. */
    void open(String session, String key, String name, ChannelName channel) {
        engine.backlog().open(name, channel);
        bySession.computeIfAbsent(session, s -> new ConcurrentHashMap<>()).put(key, name);
        owners.put(name, session);
    }

    /** The subscription is done with everything up to {@code upTo}. */
    void release(String name, Position upTo) {
        if (upTo != null) {
            engine.backlog().release(name, upTo);
        }
    }

    /** The subscription's connection ended; its backlog stays. */
    void close(String name) {
        try {
            engine.backlog().close(name);
        } catch (RuntimeException e) {
            LOG.warn("cannot close backlog {}: {}", name, e.toString());
        }
    }

    /** The subscription {@code key} of {@code session} ended for good: its backlog goes. */
    void forget(String session, String key) {
        Map<String, String> keys = bySession.get(session);
        String name = keys != null ? keys.remove(key) : null;
        if (name != null) {
            delete(session, name);
        }
    }

    /** {@code session} ended or expired: the backlogs of its subscriptions go. */
    void ended(SessionRecord session) {
        Set<String> names = new LinkedHashSet<>();
        Map<String, String> known = bySession.remove(session.id());
        if (known != null) {
            names.addAll(known.values());
        }
        if (engine.backlog().keeps()) {
            for (SessionSubscription s : session.subscriptions().values()) {
                if (!s.channel().isPattern()) {
                    names.add(engine.backlog().defaultName(session.id(), s.key()));
                }
            }
        }
        names.forEach(name -> delete(session.id(), name));
    }

    private void delete(String session, String name) {
        String owner = owners.get(name);
        if (owner != null && !owner.equals(session)) {
            return; // another session uses this name now
        }
        try {
            engine.backlog().delete(name);
            owners.remove(name, session);
        } catch (RuntimeException e) {
            LOG.warn("cannot delete backlog {} of session {}: {}", name, session, e.toString());
        }
    }
}
