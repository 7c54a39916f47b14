package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes messages out of retention (by count and by age) in the background: walks the channel table 500
 * channels at a time and deletes at most {@value #BATCH} rows per statement, each its own short transaction,
 * so pruning never holds a channel's rows or the counter row for long. Reads apply retention themselves;
 * this only gives the space back. Several nodes pruning at once delete the same rows harmlessly. Thread-safe.
 */
final class HistoryPruner {

    static final int BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(HistoryPruner.class);

    private final JdbcDatabase db;
    private final Retention.Policy retention;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    HistoryPruner(JdbcDatabase db, Retention.Policy retention, Clock clock) {
        this.db = db;
        this.retention = retention;
        this.clock = clock;
    }

    synchronized void start(Duration interval) {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-jdbc-prune");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::pruneQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    private void pruneQuietly() {
        try {
            pruneAll();
        } catch (RuntimeException | SQLException e) {
            LOG.warn("pruning history failed, trying again later: {}", e.toString());
        }
    }

    /** One pass over every channel; returns how many messages it deleted. */
    long pruneAll() throws SQLException {
        long deleted = 0;
        String after = "";
        while (!Thread.currentThread().isInterrupted()) {
            Map<String, Long> page = new LinkedHashMap<>();
            try (Connection c = db.connection("prune history");
                 PreparedStatement s = c.prepareStatement("SELECT channel, head FROM " + db.tables().channel()
                         + " WHERE channel > ? ORDER BY channel LIMIT " + BATCH)) {
                s.setString(1, after);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        page.put(rs.getString(1), rs.getLong(2));
                    }
                }
                for (Map.Entry<String, Long> e : page.entrySet()) {
                    deleted += prune(c, ChannelName.of(e.getKey()), e.getValue());
                }
            }
            if (page.size() < BATCH) {
                return deleted;
            }
            after = page.keySet().stream().reduce((a, b) -> b).orElseThrow();
        }
        return deleted;
    }

    private long prune(Connection c, ChannelName channel, long head) throws SQLException {
        Retention r = retention.retentionFor(channel);
        long upTo = head - r.maxCount();
        if (r.hasMaxAge()) {
            try (PreparedStatement s = c.prepareStatement("SELECT MAX(pos) FROM " + db.tables().message()
                    + " WHERE channel = ? AND created_at < ?")) {
                s.setString(1, channel.toString());
                s.setLong(2, clock.millis() - r.maxAge().toMillis());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    upTo = Math.max(upTo, rs.getLong(1));
                }
            }
        }
        long deleted = 0;
        while (upTo >= 1) {
            long lowest;
            try (PreparedStatement s = c.prepareStatement("SELECT MIN(pos) FROM " + db.tables().message() + " WHERE channel = ?")) {
                s.setString(1, channel.toString());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    lowest = rs.getLong(1);
                    if (rs.wasNull() || lowest > upTo) {
                        return deleted;
                    }
                }
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + db.tables().message() + " WHERE channel = ? AND pos >= ? AND pos <= ?")) {
                d.setString(1, channel.toString());
                d.setLong(2, lowest);
                d.setLong(3, Math.min(lowest + BATCH - 1, upTo));
                deleted += d.executeUpdate();
            }
        }
        return deleted;
    }
}
