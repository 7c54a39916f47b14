package io.herald.core.memory;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionClaim;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.api.SessionUnknownException;
import io.herald.core.RandomIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Durable sessions in this process's memory; they survive connections but not a restart. Each session is kept
 * as mutable state under its own monitor, and a {@link SessionRecord} is made of it only when one is read: the
 * calls made per delivery and per ack ({@link #delivered}, {@link #acknowledge}) change a subscription in place,
 * where copying the whole record per call cost a copy of its subscriptions and of the unacked window for every
 * message. A name is bound under the name's lock, which is taken before a session's and never the other way
 * round. Thread-safe.
 */
public final class MemorySessionStore implements SessionStore {

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Session id by name, and back: a binding whose session is gone is dropped when the session goes. */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Map<String, String> nameOf = new ConcurrentHashMap<>();
    private final Clock clock;

    public MemorySessionStore(Clock clock) {
        this.clock = clock;
    }

    public MemorySessionStore() {
        this(Clock.systemUTC());
    }

    /** Every call works on this process's maps under a session's or a name's own short lock. */
    @Override
    public boolean answersWithoutWaiting() {
        return true;
    }

    @Override
    public SessionRecord create(String principal, Duration ttl) {
        Instant now = clock.instant();
        Session session = new Session(RandomIds.session(), principal, now, now.plus(ttl));
        sessions.put(session.id, session);
        synchronized (session) {
            return session.record();
        }
    }

    @Override
    public SessionClaim claim(String name, String principal, Duration ttl) {
        SessionStore.checkName(name);
        SessionClaim[] claim = new SessionClaim[1];
        names.compute(name, (n, id) -> {
            if (id != null) {
                try {
                    claim[0] = new SessionClaim(update(id, s -> {
                        s.expiresAt = clock.instant().plus(ttl);
                        return s.record();
                    }), false);
                    return id;
                } catch (SessionUnknownException e) {
                    nameOf.remove(id, n); // expired: the name goes to a new session
                }
            }
            SessionRecord created = create(principal, ttl);
            nameOf.put(created.id(), n);
            claim[0] = new SessionClaim(created, true);
            return created.id();
        });
        return claim[0];
    }

    @Override
    public Optional<SessionRecord> findNamed(String name) {
        String id = name == null ? null : names.get(name);
        return id == null ? Optional.empty() : find(id);
    }

    @Override
    public Optional<SessionRecord> find(String id) {
        try {
            return Optional.of(update(id, Session::record));
        } catch (SessionUnknownException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean touch(String id, Duration ttl) {
        try {
            update(id, s -> s.expiresAt = clock.instant().plus(ttl));
            return true;
        } catch (SessionUnknownException e) {
            return false;
        }
    }

    @Override
    public void subscribe(String id, SessionSubscription subscription) {
        update(id, s -> s.subscriptions.put(subscription.key(), new Subscription(subscription)));
    }

    @Override
    public boolean unsubscribe(String id, String key) {
        return update(id, s -> s.subscriptions.remove(key) != null);
    }

    @Override
    public void advance(String id, String key, Position cursor) {
        update(id, s -> s.subscription(key).advance(cursor));
    }

    @Override
    public boolean delivered(String id, String key, Position position, int window) {
        return update(id, s -> s.subscription(key).delivered(position, window));
    }

    @Override
    public int acknowledge(String id, String key, Position position, boolean cumulative) {
        return update(id, s -> {
            Subscription sub = s.subscriptions.get(key);
            return sub == null ? 0 : sub.acknowledge(position, cumulative);
        });
    }

    @Override
    public boolean delete(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return false;
        }
        synchronized (session) {
            // An expired session is gone for delete too: it stays for purgeExpired, which must still hand it out.
            if (session.gone || isExpired(session)) {
                return false;
            }
            session.gone = true;
        }
        sessions.remove(id, session);
        unbind(id);
        return true;
    }

    @Override
    public List<SessionRecord> purgeExpired(Instant now) {
        List<SessionRecord> expired = new ArrayList<>();
        for (Session session : sessions.values()) {
            SessionRecord record;
            synchronized (session) {
                if (session.gone || session.expiresAt.isAfter(now)) {
                    continue;
                }
                session.gone = true;
                record = session.record();
            }
            sessions.remove(session.id, session);
            unbind(session.id);
            expired.add(record);
        }
        return expired;
    }

    /** Frees the name of a session that is gone, unless the name went to another session meanwhile. */
    private void unbind(String id) {
        String name = nameOf.remove(id);
        if (name != null) {
            names.remove(name, id);
        }
    }

    private boolean isExpired(Session session) {
        return !session.expiresAt.isAfter(clock.instant());
    }

    /** {@code change} applied to the live session {@code id} under its monitor. */
    private <T> T update(String id, Function<Session, T> change) {
        Session session = sessions.get(id);
        if (session == null) {
            throw new SessionUnknownException(id);
        }
        synchronized (session) {
            if (session.gone || isExpired(session)) {
                throw new SessionUnknownException(id);
            }
            return change.apply(session);
        }
    }

    private static Position further(Position current, Position candidate) {
        if (current == null || !current.sameEpoch(candidate) || candidate.offset() > current.offset()) {
            return candidate;
        }
        return current;
    }

    /** One session's state; every field is read and written under its monitor. */
    private static final class Session {
        final String id;
        final String principal;
        final Instant createdAt;
        Instant expiresAt;
        /** Deleted or purged: gone for every call, even if a caller still holds it. */
        boolean gone;
        final Map<String, Subscription> subscriptions = new HashMap<>(2);

        Session(String id, String principal, Instant createdAt, Instant expiresAt) {
            this.id = id;
            this.principal = principal;
            this.createdAt = createdAt;
            this.expiresAt = expiresAt;
        }

        Subscription subscription(String key) {
            Subscription sub = subscriptions.get(key);
            if (sub == null) {
                throw new IllegalArgumentException("session " + id + " has no subscription '" + key + "'");
            }
            return sub;
        }

        SessionRecord record() {
            Map<String, SessionSubscription> subs = new HashMap<>(subscriptions.size() * 2);
            subscriptions.forEach((key, sub) -> subs.put(key, sub.record()));
            return new SessionRecord(id, principal, createdAt, expiresAt, subs);
        }
    }

    /** One subscription's cursor and unacked window, oldest first; used under its session's monitor. */
    private static final class Subscription {
        final String key;
        final ChannelName channel;
        final boolean acknowledged;
        Position cursor;
        final ArrayList<Position> unacked;
        /**
         * Whether {@link #unacked} rises strictly within one epoch, as deliveries record it: then a position past
         * its last one is new without scanning the window, which every delivery would do otherwise.
         */
        boolean rising;

        Subscription(SessionSubscription s) {
            this.key = s.key();
            this.channel = s.channel();
            this.acknowledged = s.acknowledged();
            this.cursor = s.cursor();
            this.unacked = new ArrayList<>(s.unacked());
            this.rising = true;
            for (int i = 1; i < unacked.size() && rising; i++) {
                rising = follows(unacked.get(i - 1), unacked.get(i));
            }
        }

        private static boolean follows(Position last, Position next) {
            return last.sameEpoch(next) && last.offset() < next.offset();
        }

        boolean advance(Position position) {
            cursor = further(cursor, position);
            return true;
        }

        boolean delivered(Position position, int window) {
            if (unacked.size() >= window) {
                return false;
            }
            cursor = further(cursor, position);
            if (unacked.isEmpty() || rising && follows(unacked.get(unacked.size() - 1), position)) {
                unacked.add(position);
            } else if (!unacked.contains(position)) {
                unacked.add(position);
                rising = false;
            }
            return true;
        }

        int acknowledge(Position position, boolean cumulative) {
            int before = unacked.size();
            unacked.removeIf(p -> p.equals(position) || cumulative && p.sameEpoch(position) && p.offset() <= position.offset());
            if (unacked.isEmpty()) {
                rising = true;
            }
            return before - unacked.size();
        }

        SessionSubscription record() {
            return new SessionSubscription(key, channel, acknowledged, cursor, unacked);
        }
    }
}
