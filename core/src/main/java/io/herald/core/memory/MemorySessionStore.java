package io.herald.core.memory;

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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable sessions in this process's memory; they survive connections but not a restart. Each session is
 * updated under its own lock; a name is bound under the name's lock, which is taken before a session's and
 * never the other way round. Thread-safe.
 */
public final class MemorySessionStore implements SessionStore {

    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
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
        SessionRecord session = new SessionRecord(RandomIds.session(), principal, now, now.plus(ttl), Map.of());
        sessions.put(session.id(), session);
        return session;
    }

    @Override
    public SessionClaim claim(String name, String principal, Duration ttl) {
        SessionStore.checkName(name);
        SessionClaim[] claim = new SessionClaim[1];
        names.compute(name, (n, id) -> {
            if (id != null) {
                try {
                    claim[0] = new SessionClaim(update(id, s -> extended(s, ttl)), false);
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
        SessionRecord session = sessions.get(id);
        return session == null || isExpired(session) ? Optional.empty() : Optional.of(session);
    }

    @Override
    public boolean touch(String id, Duration ttl) {
        try {
            update(id, s -> extended(s, ttl));
            return true;
        } catch (SessionUnknownException e) {
            return false;
        }
    }

    @Override
    public void subscribe(String id, SessionSubscription subscription) {
        update(id, s -> withSubscriptions(s, subs -> subs.put(subscription.key(), subscription)));
    }

    @Override
    public boolean unsubscribe(String id, String key) {
        boolean[] removed = {false};
        update(id, s -> withSubscriptions(s, subs -> removed[0] = subs.remove(key) != null));
        return removed[0];
    }

    @Override
    public void advance(String id, String key, Position cursor) {
        update(id, s -> withSubscription(s, key, sub -> new SessionSubscription(sub.key(), sub.channel(), sub.acknowledged(),
                further(sub.cursor(), cursor), sub.unacked())));
    }

    @Override
    public boolean delivered(String id, String key, Position position, int window) {
        boolean[] recorded = {false};
        update(id, s -> withSubscription(s, key, sub -> {
            if (sub.unacked().size() >= window) {
                return sub;
            }
            recorded[0] = true;
            return new SessionSubscription(sub.key(), sub.channel(), sub.acknowledged(), further(sub.cursor(), position),
                    appended(sub.unacked(), position));
        }));
        return recorded[0];
    }

    /**
     * {@code unacked} with {@code position} at the end unless it is there already, as an immutable list that the
     * {@link SessionSubscription} keeps as it is (through an {@code ArrayList} it was copied three times). This runs
     * once per delivery of an acknowledged subscription, over up to a whole window of unacked positions: a client
     * that fell behind gets large batches, and each delivery in them scans and copies what the batch recorded so far.
     */
    private static List<Position> appended(List<Position> unacked, Position position) {
        if (unacked.contains(position)) {
            return unacked;
        }
        Position[] positions = unacked.toArray(new Position[unacked.size() + 1]);
        positions[unacked.size()] = position;
        return List.of(positions);
    }

    @Override
    public int acknowledge(String id, String key, Position position, boolean cumulative) {
        int[] removed = {0};
        update(id, s -> {
            SessionSubscription sub = s.subscriptions().get(key);
            if (sub == null) {
                return s;
            }
            List<Position> unacked = new ArrayList<>(sub.unacked());
            Iterator<Position> it = unacked.iterator();
            while (it.hasNext()) {
                Position p = it.next();
                boolean hit = p.equals(position)
                        || cumulative && p.sameEpoch(position) && p.offset() <= position.offset();
                if (hit) {
                    it.remove();
                    removed[0]++;
                }
            }
            return withSubscriptions(s, subs -> subs.put(key,
                    new SessionSubscription(sub.key(), sub.channel(), sub.acknowledged(), sub.cursor(), unacked)));
        });
        return removed[0];
    }

    @Override
    public boolean delete(String id) {
        boolean[] deleted = {false};
        // An expired session is gone for delete too: it stays for purgeExpired, which must still hand it out.
        sessions.computeIfPresent(id, (k, s) -> {
            if (isExpired(s)) {
                return s;
            }
            deleted[0] = true;
            return null;
        });
        if (deleted[0]) {
            unbind(id);
        }
        return deleted[0];
    }

    @Override
    public List<SessionRecord> purgeExpired(Instant now) {
        List<SessionRecord> expired = new ArrayList<>();
        for (SessionRecord session : sessions.values()) {
            if (!session.expiresAt().isAfter(now) && sessions.remove(session.id(), session)) {
                unbind(session.id());
                expired.add(session);
            }
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

    private SessionRecord extended(SessionRecord s, Duration ttl) {
        return new SessionRecord(s.id(), s.principal(), s.createdAt(), clock.instant().plus(ttl), s.subscriptions());
    }

    private boolean isExpired(SessionRecord session) {
        return !session.expiresAt().isAfter(clock.instant());
    }

    private SessionRecord update(String id, java.util.function.UnaryOperator<SessionRecord> change) {
        SessionRecord result = sessions.computeIfPresent(id, (k, s) -> isExpired(s) ? s : change.apply(s));
        if (result == null || isExpired(result)) {
            throw new SessionUnknownException(id);
        }
        return result;
    }

    private static SessionRecord withSubscriptions(SessionRecord s, java.util.function.Consumer<Map<String, SessionSubscription>> change) {
        Map<String, SessionSubscription> subs = new LinkedHashMap<>(s.subscriptions());
        change.accept(subs);
        return new SessionRecord(s.id(), s.principal(), s.createdAt(), s.expiresAt(), subs);
    }

    private static SessionRecord withSubscription(SessionRecord s, String key,
                                                  java.util.function.UnaryOperator<SessionSubscription> change) {
        SessionSubscription sub = s.subscriptions().get(key);
        if (sub == null) {
            throw new IllegalArgumentException("session " + s.id() + " has no subscription '" + key + "'");
        }
        return withSubscriptions(s, subs -> subs.put(key, change.apply(sub)));
    }

    private static Position further(Position current, Position candidate) {
        if (current == null || !current.sameEpoch(candidate) || candidate.offset() > current.offset()) {
            return candidate;
        }
        return current;
    }
}
