package io.herald.bench.jdbc;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBrokerModule;
import io.herald.jdbc.JdbcStoreModule;
import io.herald.jdbc.PostgresBrokerModule;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * store-jdbc on PostgreSQL beside the raw ceiling of the same statements issued by plain JDBC, in one run
 * (docs/benchmarks.md, "store-jdbc"): appends (one per transaction, pipelined) against raw INSERTs, NOTIFY
 * fan-out with and without the append, and replay of history through {@code HistoryStore.replay} against a
 * raw paged {@code SELECT} of the same rows and columns. Each figure is the best of {@code rounds} rounds of
 * {@code messages} messages of 100 bytes ({@code replay} messages for replay, whose rounds alternate with the
 * raw ones after a warm-up of each). Prints Markdown.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.jdbc.JdbcBench \
 *     [--url jdbc:postgresql://127.0.0.1:5432/test] [--user postgres] [--messages 5000] [--rounds 3] [--page 1000] [--replay 50000]
 * </pre>
 * The tables live under a prefix of their own, dropped at the end. Not thread-safe; run one at a time (it
 * measures the machine).
 */
public final class JdbcBench {

    private static final List<String> TABLES = List.of("message", "channel", "session", "session_name", "presence_member", "presence_user",
            "presence_total", "presence_channel", "schema_history");

    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("HERALD_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getenv().getOrDefault("HERALD_JDBC_USER", "postgres");
        int messages = 5000;
        int rounds = 3;
        int page = 1000;
        int replay = 50_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--user" -> user = args[i + 1];
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--page" -> page = Integer.parseInt(args[i + 1]);
                case "--replay" -> replay = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--url, --user, --messages, --rounds, --page, --replay)");
            }
        }
        System.out.print(run(url, user, messages, rounds, page, replay));
    }

    /** Runs every measurement and returns the Markdown report. */
    public static String run(String url, String user, int messages, int rounds, int page, int replay) throws Exception {
        String prefix = "bench" + RandomIds.next(6).toLowerCase(Locale.ROOT) + "_";
        Map<String, String> values = new HashMap<>(Map.of("jdbc.url", url, "jdbc.table-prefix", prefix, "history.size", "10000000"));
        if (user != null) {
            values.put("jdbc.user", user);
        }
        Settings settings = Settings.of(values);
        Bench bench = new Bench(url, user, prefix, messages, rounds);
        String payload = "{\"text\":\"" + "x".repeat(88) + "\"}";
        StringBuilder report = new StringBuilder();
        // Without the postgres broker the store appends only, so appends and replay measure the store alone.
        Herald plain = Herald.builder().settings(settings).store(new JdbcStoreModule(settings)).broker(new MemoryBrokerModule()).build().start();
        try {
            HistoryStore store = plain.injector().getInstance(HistoryStore.class);
            report.append("| path | msg/s | of raw |\n|---|---:|---:|\n");
            double rawSingle = bench.best(() -> bench.rawInserts(1, payload));
            double rawBatched = bench.best(() -> bench.rawInserts(100, payload));
            row(report, "raw JDBC INSERT, one per transaction", rawSingle, rawSingle);
            row(report, "raw JDBC INSERT, 100 per transaction", rawBatched, rawBatched);
            row(report, "HistoryStore.append, 1 thread waiting (vs one per transaction)", bench.best(() -> {
                ChannelName c = ChannelName.of("/bench/sync" + System.nanoTime());
                long t = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    store.append(Publication.json(c, payload));
                }
                return System.nanoTime() - t;
            }), rawSingle);
            row(report, "HistoryStore.appendAsync, pipelined (vs 100 per transaction)", bench.best(() -> {
                ChannelName c = ChannelName.of("/bench/async" + System.nanoTime());
                long t = System.nanoTime();
                List<CompletableFuture<HistoryStore.Appended>> all = new ArrayList<>(messages);
                for (int i = 0; i < messages; i++) {
                    all.add(store.appendAsync(Publication.json(c, payload)));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
                return System.nanoTime() - t;
            }), rawBatched);

            ChannelName replayed = ChannelName.of("/bench/replay" + System.nanoTime());
            List<CompletableFuture<HistoryStore.Appended>> seeded = new ArrayList<>(replay);
            for (int i = 0; i < replay; i++) {
                seeded.add(store.appendAsync(Publication.json(replayed, payload)));
            }
            CompletableFuture.allOf(seeded.toArray(CompletableFuture[]::new)).join();
            String epoch = store.head(replayed).epoch();
            // Autovacuum analyzes a table this fresh within a minute; until then the planner has no statistics
            // and replay's queries cost ~7 ms each on this machine (docs/benchmarks.md). Measure the steady state.
            bench.analyze();
            // Replay and its raw SELECT alternate round by round after one warm-up each, so both run as warm
            // and under the same noise.
            long[] best = bench.alternate(() -> bench.rawReplay(replayed, page, replay), () -> {
                long t = System.nanoTime();
                Position after = Position.start(epoch);
                long read = 0;
                while (true) {
                    Replay r = store.replay(replayed, after, page);
                    if (r.messages().isEmpty()) {
                        break;
                    }
                    read += r.messages().size();
                    after = r.messages().get(r.messages().size() - 1).position();
                }
                long nanos = System.nanoTime() - t;
                if (read != replay) {
                    throw new IllegalStateException("replay read " + read + " messages of " + replay);
                }
                return nanos;
            });
            double rawReplay = replay / (best[0] / 1e9);
            row(report, "raw JDBC SELECT of " + replay + " history rows, " + page + " per query", rawReplay, rawReplay);
            row(report, "HistoryStore.replay of the same rows, " + page + " per call", replay / (best[1] / 1e9), rawReplay);
        } finally {
            plain.stop();
        }

        Herald notifying = Herald.builder().settings(settings).store(new JdbcStoreModule(settings))
                .broker(new PostgresBrokerModule(settings)).build().start();
        try {
            HistoryStore store = notifying.injector().getInstance(HistoryStore.class);
            Broker broker = notifying.injector().getInstance(Broker.class);
            double rawNotify = bench.best(() -> bench.rawNotify(prefix + "bench", payload));
            row(report, "raw NOTIFY received by a listener, 100 per transaction", rawNotify, rawNotify);
            row(report, "appendAsync with NOTIFY in the transaction, received by a listener", bench.best(() -> {
                ChannelName c = ChannelName.of("/bench/notify" + System.nanoTime());
                AtomicLong received = new AtomicLong();
                try (var subscription = broker.subscribe(c, m -> received.incrementAndGet())) {
                    long t = System.nanoTime();
                    for (int i = 0; i < messages; i++) {
                        store.appendAsync(Publication.json(c, payload));
                    }
                    while (received.get() < messages) {
                        Thread.onSpinWait();
                    }
                    return System.nanoTime() - t;
                }
            }), rawNotify);
        } finally {
            notifying.stop();
            bench.dropTables();
        }
        report.append("\n").append(messages).append(" messages of 100 bytes per round (replay: ").append(replay)
                .append("), best of ").append(rounds).append(" rounds, ").append(Runtime.getRuntime().availableProcessors()).append(" cores; ratios against the raw row above each.\n");
        return report.toString();
    }

    private static void row(StringBuilder report, String what, double rate, double raw) {
        report.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f |%n", what, rate, rate / raw));
    }

    /** The raw JDBC side of each comparison, on connections of its own outside any pool. */
    private record Bench(String url, String user, String prefix, int messages, int rounds) {

        interface Round {
            long run() throws Exception;
        }

        /** The best rate in messages per second over the rounds. */
        double best(Round round) throws Exception {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < rounds; i++) {
                best = Math.min(best, round.run());
            }
            return messages / (best / 1e9);
        }

        /** The best times of two rounds run alternately, {@code rounds} times after one warm-up of each. */
        long[] alternate(Round first, Round second) throws Exception {
            first.run();
            second.run();
            long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
            for (int i = 0; i < rounds; i++) {
                best[0] = Math.min(best[0], first.run());
                best[1] = Math.min(best[1], second.run());
            }
            return best;
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, null);
        }

        long rawInserts(int perTransaction, String payload) throws SQLException {
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                String channel = "/raw/" + System.nanoTime();
                byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
                long t = System.nanoTime();
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + prefix + "message (channel, pos, msg_id, publisher_id, type,"
                        + " content_type, headers, payload, created_at) VALUES (?, ?, ?, false, NULL, 'application/json', NULL, ?, ?)")) {
                    for (int i = 1; i <= messages; i++) {
                        s.setString(1, channel);
                        s.setLong(2, i);
                        s.setString(3, "raw." + i);
                        s.setBytes(4, bytes);
                        s.setLong(5, System.currentTimeMillis());
                        s.addBatch();
                        if (i % perTransaction == 0 || i == messages) {
                            s.executeBatch();
                            c.commit();
                        }
                    }
                }
                return System.nanoTime() - t;
            }
        }

        /** The rows replay returns, paged by position as replay pages them, each column read as replay reads it. */
        long rawReplay(ChannelName channel, int page, int expected) throws SQLException {
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT pos, msg_id, type, content_type, headers, payload,"
                    + " created_at FROM " + prefix + "message WHERE channel = ? AND pos > ? ORDER BY pos LIMIT ?")) {
                long t = System.nanoTime();
                long after = 0;
                long read = 0;
                long bytes = 0;
                while (true) {
                    s.setString(1, channel.toString());
                    s.setLong(2, after);
                    s.setInt(3, page);
                    int rows = 0;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            after = rs.getLong(1);
                            String id = rs.getString(2);
                            String type = rs.getString(3);
                            String contentType = rs.getString(4);
                            byte[] headers = rs.getBytes(5);
                            String data = new String(rs.getBytes(6), StandardCharsets.UTF_8);
                            bytes += data.length() + (id == null ? 0 : 1) + (type == null ? 0 : 1) + contentType.length()
                                    + (headers == null ? 0 : headers.length) + rs.getLong(7) % 2;
                            rows++;
                        }
                    }
                    if (rows == 0) {
                        break;
                    }
                    read += rows;
                }
                long nanos = System.nanoTime() - t;
                if (read != expected || bytes == 0) {
                    throw new IllegalStateException("raw replay read " + read + " rows of " + expected);
                }
                return nanos;
            }
        }

        long rawNotify(String topic, String payload) throws SQLException {
            try (Connection listen = connect(); Connection send = connect()) {
                try (Statement s = listen.createStatement()) {
                    s.execute("LISTEN \"" + topic + "\"");
                }
                send.setAutoCommit(false);
                long t = System.nanoTime();
                try (PreparedStatement s = send.prepareStatement("SELECT pg_notify(?, ?)")) {
                    for (int i = 1; i <= messages; i++) {
                        s.setString(1, topic);
                        s.setString(2, payload + i);
                        s.addBatch();
                        if (i % 100 == 0 || i == messages) {
                            s.executeBatch();
                            send.commit();
                        }
                    }
                }
                int received = 0;
                while (received < messages) {
                    var notes = listen.unwrap(PGConnection.class).getNotifications(1000);
                    received += notes == null ? 0 : notes.length;
                }
                return System.nanoTime() - t;
            }
        }

        void analyze() throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("ANALYZE " + prefix + "message");
                s.execute("ANALYZE " + prefix + "channel");
            }
        }

        void dropTables() throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String table : TABLES) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + table);
                }
            }
        }
    }
}
