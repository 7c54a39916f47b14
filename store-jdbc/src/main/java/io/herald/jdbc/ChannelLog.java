package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Retention;
import io.herald.core.RandomIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL of appending: one batch of publications in one transaction the caller opened. The batch's channel
 * rows are locked first, in channel order, so two nodes appending batches over the same channels never
 * deadlock; then each publication, in call order, is checked for a retried id and gets the next offset.
 * Stateless apart from its configuration; thread-safe.
 */
final class ChannelLog {

    static final String COLUMNS = "pos, msg_id, type, content_type, headers, payload, created_at";

    private final Tables tables;
    private final Retention.Policy retention;
    private final JdbcHistoryStore.AppendHook hook;

    ChannelLog(Tables tables, Retention.Policy retention, JdbcHistoryStore.AppendHook hook) {
        this.tables = tables;
        this.retention = retention;
        this.hook = hook;
    }

    /** A channel's counter row as locked or read. */
    static final class Head {
        final String epoch;
        long head;
        final long start;

        Head(String epoch, long head) {
            this.epoch = epoch;
            this.head = head;
            this.start = head;
        }
    }

    /** Stores {@code publications} in the open transaction of {@code c}; returns what each append did, in order. */
    List<Appended> append(Connection c, List<Publication> publications, Instant now) throws SQLException {
        Map<ChannelName, Head> heads = new TreeMap<>(Comparator.comparing(ChannelName::toString));
        publications.forEach(p -> heads.put(p.channel(), null));
        for (ChannelName channel : heads.keySet()) {
            heads.put(channel, lock(c, channel));
        }
        Map<String, Message> storedIds = new HashMap<>();
        List<Appended> results = new ArrayList<>(publications.size());
        List<Message> stored = new ArrayList<>(publications.size());
        long millis = now.toEpochMilli();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + tables.message()
                + " (channel, pos, msg_id, publisher_id, type, content_type, headers, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Publication p : publications) {
                Head h = heads.get(p.channel());
                if (p.id() != null) {
                    Message original = storedIds.get(p.channel() + "\n" + p.id());
                    if (original == null) {
                        original = findById(c, p.channel(), h, p.id(), millis);
                    }
                    if (original != null) {
                        results.add(new Appended(original, true));
                        continue;
                    }
                }
                Position position = new Position(h.epoch, ++h.head);
                Message m = Message.of(p, position, h.epoch + "." + position.offset(), now);
                insert.setString(1, p.channel().toString());
                insert.setLong(2, position.offset());
                insert.setString(3, m.id());
                insert.setBoolean(4, p.id() != null);
                insert.setString(5, m.type());
                insert.setString(6, m.contentType());
                insert.setBytes(7, m.headers().isEmpty() ? null : Blobs.map(m.headers()));
                insert.setBytes(8, m.payload().toByteArray());
                insert.setLong(9, millis);
                insert.addBatch();
                if (p.id() != null) {
                    storedIds.put(p.channel() + "\n" + p.id(), m);
                }
                stored.add(m);
                results.add(new Appended(m, false));
            }
            if (!stored.isEmpty()) {
                insert.executeBatch();
            }
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE " + tables.channel() + " SET head = ? WHERE channel = ?")) {
            for (Map.Entry<ChannelName, Head> e : heads.entrySet()) {
                if (e.getValue().head != e.getValue().start) {
                    update.setLong(1, e.getValue().head);
                    update.setString(2, e.getKey().toString());
                    update.executeUpdate();
                }
            }
        }
        if (!stored.isEmpty()) {
            hook.stored(c, stored);
        }
        return results;
    }

    /** The retained message of the channel carrying a publisher's {@code id}, or {@code null}. */
    private Message findById(Connection c, ChannelName channel, Head h, String id, long now) throws SQLException {
        Retention r = retention.retentionFor(channel);
        String sql = "SELECT " + COLUMNS + " FROM " + tables.message()
                + " WHERE channel = ? AND msg_id = ? AND publisher_id = ? AND pos > ?" + (r.hasMaxAge() ? " AND created_at >= ?" : "")
                + " ORDER BY pos DESC LIMIT 1";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, channel.toString());
            s.setString(2, id);
            s.setBoolean(3, true);
            s.setLong(4, h.head - r.maxCount());
            if (r.hasMaxAge()) {
                s.setLong(5, now - r.maxAge().toMillis());
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? message(rs, channel, h.epoch) : null;
            }
        }
    }

    /** Locks the channel's counter row for the transaction, making it (a new epoch) if there is none. */
    private Head lock(Connection c, ChannelName channel) throws SQLException {
        String select = "SELECT epoch, head FROM " + tables.channel() + " WHERE channel = ? FOR UPDATE";
        for (int attempt = 0; ; attempt++) {
            Head h = selectHead(c, select, channel);
            if (h != null) {
                return h;
            }
            if (attempt > 0) {
                throw new SQLException("the counter row of " + channel + " vanished while it was being created");
            }
            // A savepoint, so that losing the race to another node does not abort the whole transaction.
            Savepoint savepoint = c.setSavepoint();
            try {
                insertChannel(c, tables, channel);
                c.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                if (!Dialect.isDuplicateKey(e)) {
                    throw e;
                }
                c.rollback(savepoint);
            }
        }
    }

    /** The channel's counter row, made (with a new epoch) if there is none; in autocommit mode. */
    static Head readOrCreate(Connection c, Tables tables, ChannelName channel) throws SQLException {
        String select = "SELECT epoch, head FROM " + tables.channel() + " WHERE channel = ?";
        Head h = selectHead(c, select, channel);
        if (h != null) {
            return h;
        }
        try {
            insertChannel(c, tables, channel);
        } catch (SQLException e) {
            if (!Dialect.isDuplicateKey(e)) {
                throw e;
            }
        }
        h = selectHead(c, select, channel);
        if (h == null) {
            throw new SQLException("the counter row of " + channel + " vanished while it was being created");
        }
        return h;
    }

    private static void insertChannel(Connection c, Tables tables, ChannelName channel) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + tables.channel() + " (channel, epoch, head) VALUES (?, ?, 0)")) {
            insert.setString(1, channel.toString());
            insert.setString(2, RandomIds.epoch());
            insert.executeUpdate();
        }
    }

    private static Head selectHead(Connection c, String sql, ChannelName channel) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, channel.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Head(rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    /** A message from a row of {@link #COLUMNS}. */
    static Message message(ResultSet rs, ChannelName channel, String epoch) throws SQLException {
        return JdbcHistoryStore.message(channel, new Position(epoch, rs.getLong(1)), rs.getString(2), rs.getString(3),
                rs.getBytes(6), rs.getString(4), rs.getBytes(5), rs.getLong(7));
    }

}
