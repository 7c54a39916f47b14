package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Presence in the database. Every change of a channel runs in one transaction holding the channel's row of
 * {@code presence_channel} ({@code SELECT ... FOR UPDATE}), so members, the per-user state (connections,
 * since, end) and online totals of a channel change atomically on every node. That row also numbers members
 * and users, which gives the joining order. The purges find candidate channels without a lock, then claim
 * each channel's expired members and offline users under its lock: whichever node gets there first removes
 * and hands them out, the next finds nothing. Online totals stay after a user goes offline. Times are the
 * node's {@link Clock}, to the millisecond. Thread-safe.
 */
final class JdbcPresenceStore implements PresenceStore {

    private final JdbcDatabase db;
    private final Tables t;
    private final Clock clock;

    JdbcPresenceStore(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.t = db.tables();
        this.clock = clock;
    }

    @Override
    public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        return arrive(channel, clientId, userId, info, ttl).member();
    }

    @Override
    public Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        long now = clock.millis();
        long expires = Instant.ofEpochMilli(now).plus(ttl).toEpochMilli();
        return inChannel(channel, "add " + clientId + " to " + channel, (c, seq) -> {
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, joined_at, expires_at, seq FROM " + t.member()
                    + " WHERE channel = ? AND client_id = ?")) {
                s.setString(1, channel.toString());
                s.setString(2, clientId);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        // Live or expired but not yet purged, it still counts for its user: a heartbeat.
                        String user = rs.getString(1);
                        boolean live = rs.getLong(3) > now;
                        long joined = live ? rs.getLong(2) : now;
                        long order = live ? rs.getLong(4) : seq.next();
                        update(c, "UPDATE " + t.member() + " SET info = ?, joined_at = ?, expires_at = ?, seq = ? WHERE channel = ? AND client_id = ?",
                                Blobs.map(info), joined, expires, order, channel.toString(), clientId);
                        Member m = new Member(channel, clientId, user, info, Instant.ofEpochMilli(joined), Instant.ofEpochMilli(expires));
                        return new Arrival(m, false, connections(c, channel, user));
                    }
                }
            }
            update(c, "INSERT INTO " + t.member() + " (channel, client_id, user_id, info, joined_at, expires_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    channel.toString(), clientId, userId, Blobs.map(info), now, expires, seq.next());
            Member m = new Member(channel, clientId, userId, info, Instant.ofEpochMilli(now), Instant.ofEpochMilli(expires));
            int connections = connections(c, channel, userId);
            if (connections < 0) {
                update(c, "INSERT INTO " + t.user() + " (channel, user_id, connections, since, end_at, seq) VALUES (?, ?, 1, ?, NULL, ?)",
                        channel.toString(), userId, now, seq.next());
                return new Arrival(m, true, 1);
            }
            update(c, "UPDATE " + t.user() + " SET connections = connections + 1 WHERE channel = ? AND user_id = ?", channel.toString(), userId);
            return new Arrival(m, false, connections + 1);
        });
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        long now = clock.millis();
        return inChannel(channel, "remove " + clientId + " from " + channel, (c, seq) -> {
            String user;
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, expires_at FROM " + t.member() + " WHERE channel = ? AND client_id = ?")) {
                s.setString(1, channel.toString());
                s.setString(2, clientId);
                try (ResultSet rs = s.executeQuery()) {
                    // An expired member is not present: it stays for the purge, which must still hand it out.
                    if (!rs.next() || rs.getLong(2) <= now) {
                        return false;
                    }
                    user = rs.getString(1);
                }
            }
            update(c, "DELETE FROM " + t.member() + " WHERE channel = ? AND client_id = ?", channel.toString(), clientId);
            gone(c, channel, user, now);
            return true;
        });
    }

    @Override
    public List<Member> members(ChannelName channel) {
        String what = "read the members of " + channel;
        try (Connection c = db.connection(what);
             PreparedStatement s = c.prepareStatement("SELECT client_id, user_id, info, joined_at, expires_at FROM " + t.member()
                     + " WHERE channel = ? AND expires_at > ? ORDER BY seq")) {
            s.setString(1, channel.toString());
            s.setLong(2, clock.millis());
            List<Member> members = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    members.add(member(channel, rs));
                }
            }
            return members;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public List<OnlineUser> users(ChannelName channel) {
        String what = "read the users of " + channel;
        try (Connection c = db.connection(what)) {
            Map<String, Integer> live = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, COUNT(*) FROM " + t.member()
                    + " WHERE channel = ? AND expires_at > ? GROUP BY user_id")) {
                s.setString(1, channel.toString());
                s.setLong(2, clock.millis());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        live.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            List<OnlineUser> users = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, since FROM " + t.user() + " WHERE channel = ? ORDER BY seq")) {
                s.setString(1, channel.toString());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String user = rs.getString(1);
                        users.add(new OnlineUser(channel, user, live.getOrDefault(user, 0), Instant.ofEpochMilli(rs.getLong(2))));
                    }
                }
            }
            return users;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public List<Member> purgeExpired(Instant now) {
        List<Member> purged = new ArrayList<>();
        for (ChannelName channel : candidates("SELECT DISTINCT channel FROM " + t.member() + " WHERE expires_at <= ?", now.toEpochMilli())) {
            purged.addAll(inChannel(channel, "purge the expired members of " + channel, (c, seq) -> purgeExpired(c, channel, now.toEpochMilli())));
        }
        return purged;
    }

    @Override
    public List<Offline> purgeOffline(Instant now, Duration grace) {
        long at = now.toEpochMilli();
        long cutoff = now.minus(grace).toEpochMilli();
        Set<ChannelName> channels = new LinkedHashSet<>(candidates("SELECT DISTINCT channel FROM " + t.member() + " WHERE expires_at <= ?", at));
        channels.addAll(candidates("SELECT DISTINCT channel FROM " + t.user() + " WHERE connections = 0 AND end_at <= ?", cutoff));
        List<Offline> offline = new ArrayList<>();
        for (ChannelName channel : channels) {
            offline.addAll(inChannel(channel, "take the offline users of " + channel + " offline", (c, seq) -> {
                purgeExpired(c, channel, at);
                List<Offline> gone = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT user_id, since, end_at FROM " + t.user()
                        + " WHERE channel = ? AND connections = 0 AND end_at <= ? ORDER BY seq")) {
                    s.setString(1, channel.toString());
                    s.setLong(2, cutoff);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            gone.add(new Offline(channel, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3))));
                        }
                    }
                }
                for (Offline o : gone) {
                    update(c, "DELETE FROM " + t.user() + " WHERE channel = ? AND user_id = ?", channel.toString(), o.userId());
                    long millis = Duration.between(o.since(), o.at()).toMillis();
                    if (update(c, "UPDATE " + t.total() + " SET total_ms = total_ms + ? WHERE channel = ? AND user_id = ?",
                            millis, channel.toString(), o.userId()) == 0) {
                        update(c, "INSERT INTO " + t.total() + " (channel, user_id, total_ms) VALUES (?, ?, ?)", channel.toString(), o.userId(), millis);
                    }
                }
                return gone;
            }));
        }
        return offline;
    }

    @Override
    public Duration onlineTime(ChannelName channel, String userId, Instant now) {
        Long millis = onlineMillis(channel, now).get(userId);
        return Duration.ofMillis(millis == null ? 0 : millis);
    }

    @Override
    public Map<String, Duration> onlineTimes(ChannelName channel, Instant now) {
        Map<String, Duration> times = new LinkedHashMap<>();
        onlineMillis(channel, now).forEach((user, ms) -> times.put(user, Duration.ofMillis(ms)));
        return times;
    }

    private Map<String, Long> onlineMillis(ChannelName channel, Instant now) {
        String what = "read the online times of " + channel;
        Map<String, Long> millis = new LinkedHashMap<>();
        try (Connection c = db.connection(what)) {
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, total_ms FROM " + t.total() + " WHERE channel = ?")) {
                s.setString(1, channel.toString());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        millis.merge(rs.getString(1), rs.getLong(2), Long::sum);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT user_id, connections, since, end_at FROM " + t.user() + " WHERE channel = ?")) {
                s.setString(1, channel.toString());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long end = rs.getInt(2) == 0 ? rs.getLong(4) : now.toEpochMilli();
                        millis.merge(rs.getString(1), Math.max(0, end - rs.getLong(3)), Long::sum);
                    }
                }
            }
            return millis;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    /** Removes and returns the channel's members expired by {@code now}, in the channel's transaction. */
    private List<Member> purgeExpired(Connection c, ChannelName channel, long now) throws SQLException {
        List<Member> expired = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT client_id, user_id, info, joined_at, expires_at FROM " + t.member()
                + " WHERE channel = ? AND expires_at <= ? ORDER BY seq")) {
            s.setString(1, channel.toString());
            s.setLong(2, now);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    expired.add(member(channel, rs));
                }
            }
        }
        for (Member m : expired) {
            update(c, "DELETE FROM " + t.member() + " WHERE channel = ? AND client_id = ?", channel.toString(), m.clientId());
            gone(c, channel, m.userId(), m.expiresAt().toEpochMilli());
        }
        return expired;
    }

    /** One of the user's clients went at {@code at}: one connection less, and the end moves to the latest. */
    private void gone(Connection c, ChannelName channel, String user, long at) throws SQLException {
        update(c, "UPDATE " + t.user() + " SET connections = connections - 1, end_at = CASE WHEN end_at IS NULL OR end_at < ? THEN ? ELSE end_at END"
                + " WHERE channel = ? AND user_id = ?", at, at, channel.toString(), user);
    }

    /** The user's connections on the channel, or -1 when they are offline. */
    private int connections(Connection c, ChannelName channel, String user) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT connections FROM " + t.user() + " WHERE channel = ? AND user_id = ?")) {
            s.setString(1, channel.toString());
            s.setString(2, user);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        }
    }

    private List<ChannelName> candidates(String sql, long bound) {
        String what = "find channels to purge";
        try (Connection c = db.connection(what); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, bound);
            List<ChannelName> channels = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    channels.add(ChannelName.of(rs.getString(1)));
                }
            }
            return channels;
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    private static Member member(ChannelName channel, ResultSet rs) throws SQLException {
        return new Member(channel, rs.getString(1), rs.getString(2), Blobs.map(rs.getBytes(3)), Instant.ofEpochMilli(rs.getLong(4)),
                Instant.ofEpochMilli(rs.getLong(5)));
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof byte[] bytes) {
                    s.setBytes(i + 1, bytes);
                } else {
                    s.setObject(i + 1, args[i]);
                }
            }
            return s.executeUpdate();
        }
    }

    /** Numbers handed out under the channel's lock, for the joining order. */
    static final class Sequence {
        private long next;

        Sequence(long next) {
            this.next = next;
        }

        long next() {
            return next++;
        }
    }

    private interface ChannelWork<T> {
        T run(Connection c, Sequence seq) throws SQLException;
    }

    /** Runs {@code work} in a transaction holding the channel's lock row, retrying a deadlock. */
    private <T> T inChannel(ChannelName channel, String what, ChannelWork<T> work) {
        try (Connection c = db.connection(what)) {
            c.setAutoCommit(false);
            try {
                for (int attempt = 1; ; attempt++) {
                    try {
                        Sequence seq = new Sequence(lock(c, channel));
                        long start = seq.next;
                        T result = work.run(c, seq);
                        if (seq.next != start) {
                            update(c, "UPDATE " + t.presenceChannel() + " SET next_seq = ? WHERE channel = ?", seq.next, channel.toString());
                        }
                        c.commit();
                        return result;
                    } catch (SQLException e) {
                        try {
                            c.rollback();
                        } catch (SQLException ignored) {
                            // a broken connection: its transaction is gone anyway
                        }
                        if (!Dialect.isRetryable(e) || attempt == 5) {
                            throw e;
                        }
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    private long lock(Connection c, ChannelName channel) throws SQLException {
        String select = "SELECT next_seq FROM " + t.presenceChannel() + " WHERE channel = ? FOR UPDATE";
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement s = c.prepareStatement(select)) {
                s.setString(1, channel.toString());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            java.sql.Savepoint savepoint = c.setSavepoint();
            try {
                update(c, "INSERT INTO " + t.presenceChannel() + " (channel, next_seq) VALUES (?, 1)", channel.toString());
                c.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                if (!Dialect.isDuplicateKey(e)) {
                    throw e;
                }
                c.rollback(savepoint);
            }
        }
        throw new SQLException("the presence row of " + channel + " vanished while it was being created");
    }
}
