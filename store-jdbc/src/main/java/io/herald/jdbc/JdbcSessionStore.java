package io.herald.jdbc;

import io.herald.api.Position;
import io.herald.api.SessionClaim;
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
 * handed out once across every node. A named session's name is a row of {@code session_name}: a claim locks
 * that row (or, for a new name, inserts it, the loser of a race retrying) before the session's row, and delete
 * and purge remove it in the same transaction as the session, in the same order, so nodes never deadlock on
 * each other's claims for long. Thread-safe.
 */
final class JdbcSessionStore implements SessionStore {

    private static final int PURGE_BATCH = 500;
    /** How often a claim that lost a race (or a deadlock) runs again before giving up. */
    private static final int CLAIM_ATTEMPTS = 50;

    private final JdbcDatabase db;
    private final Clock clock;
    private final String table;
    private final String names;

    JdbcSessionStore(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.table = db.tables().session();
        this.names = db.tables().sessionName();
    }

    /** Work in one transaction. */
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public SessionRecord create(String principal, Duration ttl) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        SessionRecord session = new SessionRecord(RandomIds.session(), principal, now, now.plus(ttl), Map.of());
        String what = "create a session for " + principal;
        try (Connection c = db.connection(what)) {
            insert(c, session);
            return session;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public SessionClaim claim(String name, String principal, Duration ttl) {
        SessionStore.checkName(name);
        String what = "claim session " + name;
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction(what, c -> claim(c, name, principal, ttl));
            } catch (SQLException e) {
                // Another node bound the name first (or the two deadlocked): the next attempt finds its session.
                if (attempt == CLAIM_ATTEMPTS || !Dialect.isDuplicateKey(e) && !Dialect.isRetryable(e)) {
                    throw db.failure(what, e);
                }
            }
        }
    }

    private SessionClaim claim(Connection c, String name, String principal, Duration ttl) throws SQLException {
        String bound = null;
        try (PreparedStatement s = c.prepareStatement("SELECT session_id FROM " + names + " WHERE name = ? FOR UPDATE")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    bound = rs.getString(1);
                }
            }
        }
        long now = clock.millis();
        Instant expires = Instant.ofEpochMilli(now).plus(ttl);
        if (bound != null) {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + table + " SET expires_at = ? WHERE id = ? AND expires_at > ?")) {
                u.setLong(1, expires.toEpochMilli());
                u.setString(2, bound);
                u.setLong(3, now);
                if (u.executeUpdate() == 1) {
                    return new SessionClaim(read(c, bound), false);
                }
            }
        }
        // No live session has the name: a new one takes it.
        SessionRecord created = new SessionRecord(RandomIds.session(), principal, Instant.ofEpochMilli(now), expires, Map.of());
        insert(c, created);
        try (PreparedStatement b = c.prepareStatement(bound != null
                ? "UPDATE " + names + " SET session_id = ? WHERE name = ?"
                : "INSERT INTO " + names + " (session_id, name) VALUES (?, ?)")) {
            b.setString(1, created.id());
            b.setString(2, name);
            b.executeUpdate();
        }
        return new SessionClaim(created, true);
    }

    @Override
    public Optional<SessionRecord> findNamed(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return Optional.empty();
        }
        String what = "read session name " + name;
        try (Connection c = db.connection(what);
             PreparedStatement s = c.prepareStatement("SELECT s.id, s.principal, s.created_at, s.expires_at, s.subscriptions FROM "
                     + names + " n JOIN " + table + " s ON s.id = n.session_id WHERE n.name = ? AND s.expires_at > ?")) {
            s.setString(1, name);
            s.setLong(2, clock.millis());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    private void insert(Connection c, SessionRecord session) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                + " (id, principal, created_at, expires_at, subscriptions) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, session.id());
            s.setString(2, session.principal());
            s.setLong(3, session.createdAt().toEpochMilli());
            s.setLong(4, session.expiresAt().toEpochMilli());
            s.setBytes(5, Blobs.subscriptions(Map.of()));
            s.executeUpdate();
        }
    }

    private SessionRecord read(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id, principal, created_at, expires_at, subscriptions FROM " + table
                + " WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("session " + id + " vanished under its lock");
                }
                return record(rs);
            }
        }
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws.
     *
     * @throws SQLException what the work or the database threw, for the caller to tell races from failures
     */
    private <T> T transaction(String what, Work<T> work) throws SQLException {
        try (Connection c = db.connection(what)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
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
        try {
            // The name first, as a claim locks it first. An expired session is gone for delete too: it stays
            // (name and all) for purgeExpired, which must still hand it out.
            return transaction(what, c -> removeWithName(c, id, "expires_at > ?", clock.millis()));
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    /** Deletes the session and the name still bound to it if its row matches {@code guard}; else changes nothing. */
    private boolean removeWithName(Connection c, String id, String guard, long value) throws SQLException {
        try (PreparedStatement n = c.prepareStatement("DELETE FROM " + names + " WHERE session_id = ?")) {
            n.setString(1, id);
            n.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND " + guard)) {
            s.setString(1, id);
            s.setLong(2, value);
            if (s.executeUpdate() == 1) {
                return true;
            }
        }
        c.rollback();
        return false;
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
            // the expiry in the WHERE makes a session touched meanwhile survive. Each in a transaction of its
            // own with its name, if a claim did not give the name to a newer session meanwhile.
            c.setAutoCommit(false);
            try {
                for (SessionRecord session : candidates) {
                    if (removeWithName(c, session.id(), "expires_at = ?", session.expiresAt().toEpochMilli())) {
                        c.commit();
                        purged.add(session);
                    }
                }
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
        try {
            return transaction(what, c -> {
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
                return result;
            });
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
