package io.herald.jdbc;

import io.herald.api.Position;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.api.SessionUnknownException;
import io.herald.core.RandomIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Durable sessions in the database: one row per session, its subscriptions (cursors and unacked windows) in
 * one binary column, changed under {@code SELECT ... FOR UPDATE} so that two nodes changing one session apply
 * both changes. {@link #purgeExpired} deletes each expired row in its own transaction, guarded by the expiry
 * it read: only the caller whose delete removed the row hands the session out, so each expired session is
 * handed out once across every node. Thread-safe.
 */
final class JdbcSessionStore implements SessionStore {

    private static final int PURGE_BATCH = 500;

    private final JdbcDatabase db;
    private final Clock clock;
    private final String table;

    JdbcSessionStore(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.table = db.tables().session();
    }

    @Override
    public SessionRecord create(String principal, Duration ttl) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        SessionRecord session = new SessionRecord(RandomIds.session(), principal, now, now.plus(ttl), Map.of());
        String what = "create a session for " + principal;
        try (Connection c = db.connection(what);
             PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                     + " (id, principal, created_at, expires_at, subscriptions) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, session.id());
            s.setString(2, principal);
            s.setLong(3, session.createdAt().toEpochMilli());
            s.setLong(4, session.expiresAt().toEpochMilli());
            s.setBytes(5, Blobs.subscriptions(Map.of()));
            s.executeUpdate();
            return session;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public Optional<SessionRecord> find(String id) {
        if (id.length() > 255) {
            return Optional.empty();
        }
        String what = "read session " + id;
        try (Connection c = db.connection(what);
             PreparedStatement s = c.prepareStatement("SELECT id, principal, created_at, expires_at, subscriptions FROM " + table
                     + " WHERE id = ? AND expires_at > ?")) {
            s.setString(1, id);
            s.setLong(2, clock.millis());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public boolean touch(String id, Duration ttl) {
        String what = "touch session " + id;
        try (Connection c = db.connection(what);
             PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET expires_at = ? WHERE id = ? AND expires_at > ?")) {
            long now = clock.millis();
            s.setLong(1, Instant.ofEpochMilli(now).plus(ttl).toEpochMilli());
            s.setString(2, id);
            s.setLong(3, now);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public void subscribe(String id, SessionSubscription subscription) {
        change(id, "subscribe session " + id + " to " + subscription.channel(), subs -> {
            subs.put(subscription.key(), subscription);
            return null;
        });
    }

    @Override
    public boolean unsubscribe(String id, String key) {
        return change(id, "unsubscribe session " + id + " from " + key, subs -> subs.remove(key) != null);
    }

    @Override
    public void advance(String id, String key, Position cursor) {
        change(id, "advance session " + id + " on " + key, subs -> {
            SessionSubscription sub = subscription(id, subs, key);
            subs.put(key, new SessionSubscription(key, sub.channel(), sub.acknowledged(), further(sub.cursor(), cursor), sub.unacked()));
            return null;
        });
    }

    @Override
    public boolean delivered(String id, String key, Position position, int window) {
        return change(id, "record a delivery to session " + id + " on " + key, subs -> {
            SessionSubscription sub = subscription(id, subs, key);
            if (sub.unacked().size() >= window) {
                return false;
            }
            List<Position> unacked = new ArrayList<>(sub.unacked());
            if (!unacked.contains(position)) {
                unacked.add(position);
            }
            subs.put(key, new SessionSubscription(key, sub.channel(), sub.acknowledged(), further(sub.cursor(), position), unacked));
            return true;
        });
    }

    @Override
    public int acknowledge(String id, String key, Position position, boolean cumulative) {
        return change(id, "acknowledge " + position + " for session " + id + " on " + key, subs -> {
            SessionSubscription sub = subs.get(key);
            if (sub == null) {
                return 0;
            }
            List<Position> unacked = new ArrayList<>(sub.unacked());
            int removed = 0;
            for (Iterator<Position> it = unacked.iterator(); it.hasNext(); ) {
                Position p = it.next();
                if (p.equals(position) || cumulative && p.sameEpoch(position) && p.offset() <= position.offset()) {
                    it.remove();
                    removed++;
                }
            }
            if (removed > 0) {
                subs.put(key, new SessionSubscription(key, sub.channel(), sub.acknowledged(), sub.cursor(), unacked));
            }
            return removed;
        });
    }

    @Override
    public boolean delete(String id) {
        String what = "delete session " + id;
        try (Connection c = db.connection(what);
             // An expired session is gone for delete too: it stays for purgeExpired, which must still hand it out.
             PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND expires_at > ?")) {
            s.setString(1, id);
            s.setLong(2, clock.millis());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public List<SessionRecord> purgeExpired(Instant now) {
        String what = "purge expired sessions";
        List<SessionRecord> purged = new ArrayList<>();
        try (Connection c = db.connection(what)) {
            List<SessionRecord> candidates = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, principal, created_at, expires_at, subscriptions FROM " + table
                    + " WHERE expires_at <= ? ORDER BY expires_at LIMIT " + PURGE_BATCH)) {
                s.setLong(1, now.toEpochMilli());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(record(rs));
                    }
                }
            }
            // An expired session cannot change (every mutator refuses it), so the row read is the row deleted;
            // the expiry in the WHERE makes a session touched meanwhile survive.
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND expires_at = ?")) {
                for (SessionRecord session : candidates) {
                    d.setString(1, session.id());
                    d.setLong(2, session.expiresAt().toEpochMilli());
                    if (d.executeUpdate() == 1) {
                        purged.add(session);
                    }
                }
            }
            return purged;
        } catch (SQLException e) {
            if (!purged.isEmpty()) {
                // Those are deleted already: hand them out rather than lose them; the rest waits for the next purge.
                return purged;
            }
            throw db.failure(what, e);
        }
    }

    /** Runs {@code change} on the session's subscriptions under the row's lock and writes them back. */
    private <T> T change(String id, String what, Function<Map<String, SessionSubscription>, T> change) {
        try (Connection c = db.connection(what)) {
            c.setAutoCommit(false);
            try {
                Map<String, SessionSubscription> subs;
                try (PreparedStatement s = c.prepareStatement("SELECT subscriptions FROM " + table
                        + " WHERE id = ? AND expires_at > ? FOR UPDATE")) {
                    s.setString(1, id);
                    s.setLong(2, clock.millis());
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            throw new SessionUnknownException(id);
                        }
                        subs = new LinkedHashMap<>(Blobs.subscriptions(rs.getBytes(1)));
                    }
                }
                Map<String, SessionSubscription> before = Map.copyOf(subs);
                T result = change.apply(subs);
                if (!subs.equals(before)) {
                    try (PreparedStatement u = c.prepareStatement("UPDATE " + table + " SET subscriptions = ? WHERE id = ?")) {
                        u.setBytes(1, Blobs.subscriptions(subs));
                        u.setString(2, id);
                        u.executeUpdate();
                    }
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // a broken connection: its transaction is gone anyway
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    private static SessionSubscription subscription(String id, Map<String, SessionSubscription> subs, String key) {
        SessionSubscription sub = subs.get(key);
        if (sub == null) {
            throw new IllegalArgumentException("session " + id + " has no subscription '" + key + "'");
        }
        return sub;
    }

    private static SessionRecord record(ResultSet rs) throws SQLException {
        return new SessionRecord(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                Instant.ofEpochMilli(rs.getLong(4)), Blobs.subscriptions(rs.getBytes(5)));
    }

    private static Position further(Position current, Position candidate) {
        if (current == null || !current.sameEpoch(candidate) || candidate.offset() > current.offset()) {
            return candidate;
        }
        return current;
    }
}
