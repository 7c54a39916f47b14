package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.InvalidPublicationException;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * History in the database. Positions come from the channel's counter row, locked with
 * {@code SELECT ... FOR UPDATE} for the append's transaction: every node appending to a channel queues on that
 * row, so offsets are consecutive with no duplicate and no hole, and a retried id is looked up under the same
 * lock, so it is stored once. Appends go through one writer thread ({@link AppendWriter}) that puts up to 100
 * of them in one transaction.
 *
 * <p>Retention is applied by every read (a message beyond the channel's count or age is never returned nor
 * taken for the original of a retry) and enforced on disk by {@link HistoryPruner} in the background, in
 * batches of 500 rows. A channel whose counter row is gone (deleted by hand, a restored backup without it) gets
 * a new epoch and starts again at 1: its old positions get a reset gap. Thread-safe.
 */
final class JdbcHistoryStore implements HistoryStore, Lifecycle {

    /** Longest publisher id the {@code msg_id} column takes. */
    static final int MAX_ID_LENGTH = 255;

    private final JdbcDatabase db;
    private final Retention.Policy retention;
    private final Clock clock;
    private final AppendWriter writer;
    private final HistoryPruner pruner;
    private final AppendHook hook;

    /** What else an append's transaction does with the messages it stored (the PostgreSQL broker's NOTIFY). */
    interface AppendHook {
        AppendHook NONE = (connection, messages) -> { };

        void stored(Connection connection, List<Message> messages) throws SQLException;
    }

    JdbcHistoryStore(JdbcDatabase db, Retention.Policy retention, Clock clock, AppendHook hook) {
        this.db = db;
        this.retention = retention;
        this.clock = clock;
        this.hook = hook;
        this.writer = new AppendWriter(db, new ChannelLog(db.tables(), retention, hook));
        this.pruner = new HistoryPruner(db, retention, clock);
    }

    JdbcHistoryStore(JdbcDatabase db, Retention.Policy retention, Clock clock) {
        this(db, retention, clock, AppendHook.NONE);
    }

    @Override
    public void start() {
        writer.start(clock);
        pruner.start(db.settings().pruneInterval());
    }

    @Override
    public void stop() {
        pruner.stop();
        writer.stop();
    }

    @Override
    public boolean publishesTo(io.herald.api.Broker broker) {
        return hook != AppendHook.NONE && broker instanceof PostgresBroker postgres && postgres.sameDatabase(db.settings());
    }

    /** The hook this store's appends run inside their transaction. */
    AppendHook appendHook() {
        return hook;
    }

    @Override
    public Message append(Publication publication) {
        try {
            return appendAsync(publication).join().message();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<Appended> appendAsync(Publication publication) {
        if (publication.id() != null && publication.id().length() > MAX_ID_LENGTH) {
            return CompletableFuture.failedFuture(new InvalidPublicationException(publication.channel(),
                    "message id of " + publication.id().length() + " characters is longer than " + MAX_ID_LENGTH));
        }
        return writer.submit(publication);
    }

    @Override
    public Replay replay(ChannelName channel, Position after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("replay limit must be at least 1, got " + limit);
        }
        String what = "replay " + channel;
        try (Connection c = db.connection(what)) {
            ChannelLog.Head h = ChannelLog.readOrCreate(c, db.tables(), channel);
            Position head = new Position(h.epoch, h.head);
            long first = firstRetained(c, channel, h.head);
            long from = Replay.readFrom(head, first, after);
            List<Message> messages = from > h.head ? List.of() : read(c, channel, h.epoch, from, h.head, limit);
            return Replay.of(channel, head, first, after, messages);
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    @Override
    public Position head(ChannelName channel) {
        String what = "read the head of " + channel;
        try (Connection c = db.connection(what)) {
            ChannelLog.Head h = ChannelLog.readOrCreate(c, db.tables(), channel);
            return new Position(h.epoch, h.head);
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    /** The oldest offset retention keeps, or {@code head + 1} when it keeps nothing. */
    private long firstRetained(Connection c, ChannelName channel, long head) throws SQLException {
        Retention r = retention.retentionFor(channel);
        boolean byAge = r.hasMaxAge();
        String sql = "SELECT MIN(pos) FROM " + db.tables().message() + " WHERE channel = ? AND pos > ? AND pos <= ?"
                + (byAge ? " AND created_at >= ?" : "");
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, channel.toString());
            s.setLong(2, head - r.maxCount());
            s.setLong(3, head);
            if (byAge) {
                s.setLong(4, clock.millis() - r.maxAge().toMillis());
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long min = rs.getLong(1);
                return rs.wasNull() ? head + 1 : min;
            }
        }
    }

    private List<Message> read(Connection c, ChannelName channel, String epoch, long from, long to, int limit) throws SQLException {
        String sql = "SELECT " + ChannelLog.COLUMNS + " FROM " + db.tables().message()
                + " WHERE channel = ? AND pos >= ? AND pos <= ? ORDER BY pos LIMIT ?";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, channel.toString());
            s.setLong(2, from);
            s.setLong(3, to);
            s.setInt(4, limit);
            List<Message> messages = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    messages.add(ChannelLog.message(rs, channel, epoch));
                }
            }
            return messages;
        }
    }

    static Message message(ChannelName channel, Position position, String id, String type, byte[] payload,
                           String contentType, byte[] headers, long createdAt) {
        return new Message(channel, position, id, type, Payload.copyOf(payload), contentType, Blobs.map(headers),
                Instant.ofEpochMilli(createdAt));
    }

    static StoreException stopped(Publication publication) {
        return new StoreException("cannot append to " + publication.channel() + ": the jdbc store is stopped");
    }
}
