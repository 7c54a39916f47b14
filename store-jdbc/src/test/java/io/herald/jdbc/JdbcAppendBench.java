package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Publication;
import io.herald.api.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * Append throughput and NOTIFY fan-out on PostgreSQL against the raw ceiling of the same INSERTs issued by
 * plain JDBC, in one run (docs/benchmarks.md, "store-jdbc"). Not a test: run its main from the test class path.
 * Each figure is the best of three rounds of {@code n} messages of 100 bytes.
 */
public final class JdbcAppendBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Databases database = Databases.POSTGRESQL;
        String prefix = Databases.uniquePrefix();
        JdbcDatabase db = database.start(prefix);
        String payload = "{\"text\":\"" + "x".repeat(88) + "\"}";
        try {
            report("raw JDBC INSERT, one per transaction", n, best(() -> rawInserts(database, prefix, n, 1, payload)));
            report("raw JDBC INSERT, 100 per transaction", n, best(() -> rawInserts(database, prefix, n, 100, payload)));
            JdbcHistoryStore store = new JdbcHistoryStore(db, Retention.Policy.uniform(new Retention(1_000_000, java.time.Duration.ZERO)), Clock.systemUTC());
            store.start();
            report("JdbcHistoryStore.append, 1 thread waiting", n, best(() -> {
                ChannelName c = ChannelName.of("/bench/sync" + System.nanoTime());
                long t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    store.append(Publication.json(c, payload));
                }
                return System.nanoTime() - t;
            }));
            report("JdbcHistoryStore.appendAsync, pipelined", n, best(() -> {
                ChannelName c = ChannelName.of("/bench/async" + System.nanoTime());
                long t = System.nanoTime();
                List<CompletableFuture<HistoryStore.Appended>> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    all.add(store.appendAsync(Publication.json(c, payload)));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
                return System.nanoTime() - t;
            }));
            store.stop();
            report("NOTIFY received by a listener, 100 per transaction", n, best(() -> notifyRound(database, prefix, n, payload)));
            JdbcSettings settings = JdbcSettings.from(database.settings(prefix));
            PostgresBroker broker = new PostgresBroker(settings);
            broker.start();
            JdbcHistoryStore notifying = new JdbcHistoryStore(db, Retention.Policy.uniform(new Retention(1_000_000, java.time.Duration.ZERO)),
                    Clock.systemUTC(), broker.appendHook());
            notifying.start();
            report("appendAsync with NOTIFY in the transaction, received by a listener", n, best(() -> {
                ChannelName c = ChannelName.of("/bench/notify" + System.nanoTime());
                AtomicLong received = new AtomicLong();
                try (var sub = broker.subscribe(c, m -> received.incrementAndGet())) {
                    long t = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        notifying.appendAsync(Publication.json(c, payload));
                    }
                    while (received.get() < n) {
                        Thread.onSpinWait();
                    }
                    return System.nanoTime() - t;
                }
            }));
            notifying.stop();
            broker.stop();
        } finally {
            db.stop();
            database.dropTables(prefix);
        }
    }

    private interface Round {
        long run() throws Exception;
    }

    private static long best(Round round) throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            best = Math.min(best, round.run());
        }
        return best;
    }

    private static void report(String what, int n, long nanos) {
        System.out.printf("%-70s %9.0f msg/s%n", what, n / (nanos / 1e9));
    }

    private static long rawInserts(Databases database, String prefix, int n, int perTx, String payload) throws Exception {
        try (Connection c = database.connect(prefix)) {
            c.setAutoCommit(false);
            String channel = "/raw/" + System.nanoTime();
            byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            long t = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + prefix + "message (channel, pos, msg_id, publisher_id, type, content_type,"
                    + " headers, payload, created_at) VALUES (?, ?, ?, false, NULL, 'application/json', NULL, ?, ?)")) {
                for (int i = 1; i <= n; i++) {
                    s.setString(1, channel);
                    s.setLong(2, i);
                    s.setString(3, "raw." + i);
                    s.setBytes(4, bytes);
                    s.setLong(5, System.currentTimeMillis());
                    s.addBatch();
                    if (i % perTx == 0 || i == n) {
                        s.executeBatch();
                        c.commit();
                    }
                }
            }
            return System.nanoTime() - t;
        }
    }

    private static long notifyRound(Databases database, String prefix, int n, String payload) throws Exception {
        try (Connection listen = database.connect(prefix); Connection send = database.connect(prefix)) {
            String topic = prefix + "bench";
            try (Statement s = listen.createStatement()) {
                s.execute("LISTEN \"" + topic + "\"");
            }
            send.setAutoCommit(false);
            long t = System.nanoTime();
            try (PreparedStatement s = send.prepareStatement("SELECT pg_notify(?, ?)")) {
                for (int i = 1; i <= n; i++) {
                    s.setString(1, topic);
                    s.setString(2, payload + i);
                    s.addBatch();
                    if (i % 100 == 0 || i == n) {
                        s.executeBatch();
                        send.commit();
                    }
                }
            }
            int received = 0;
            while (received < n) {
                var notes = listen.unwrap(PGConnection.class).getNotifications(1000);
                received += notes == null ? 0 : notes.length;
            }
            return System.nanoTime() - t;
        }
    }
}
