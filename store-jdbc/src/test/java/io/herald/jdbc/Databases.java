package io.herald.jdbc;

import io.herald.core.RandomIds;
import io.herald.core.config.Settings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The real databases the tests run on: H2 in memory, PostgreSQL ({@code HERALD_JDBC_URL} or
 * 127.0.0.1:5432, user postgres, db test) and MariaDB ({@code HERALD_MARIADB_URL} or 127.0.0.1:3306, root, db
 * test). Each test class takes a table prefix of its own and drops its tables at the end, so runs never see
 * each other's rows. A database that cannot be reached fails the test: nothing is skipped.
 */
enum Databases {
    H2("jdbc:h2:mem:herald-%s;DB_CLOSE_DELAY=-1", null),
    POSTGRESQL(env("HERALD_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test"), env("HERALD_JDBC_USER", "postgres")),
    MARIADB(env("HERALD_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test"), env("HERALD_MARIADB_USER", "root"));

    private final String url;
    private final String user;

    Databases(String url, String user) {
        this.url = url;
        this.user = user;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The URL; for H2 a fresh in-memory database named after {@code prefix}. */
    String url(String prefix) {
        return this == H2 ? String.format(url, prefix) : url;
    }

    String user() {
        return user;
    }

    /** A table prefix no other test run uses. */
    static String uniquePrefix() {
        return "t" + RandomIds.next(8).toLowerCase(java.util.Locale.ROOT) + "_";
    }

    /** Settings for a store with {@code prefix} on this database. */
    Settings settings(String prefix) {
        Settings s = Settings.defaults().with(JdbcSettings.URL, url(prefix)).with(JdbcSettings.TABLE_PREFIX, prefix)
                .with(JdbcSettings.POOL_SIZE, "8").with(JdbcSettings.PRUNE_INTERVAL, "1s");
        return user == null ? s : s.with(JdbcSettings.USER, user);
    }

    /** A started database (pool and tables) with {@code prefix}. */
    JdbcDatabase start(String prefix) {
        JdbcDatabase db = new JdbcDatabase(JdbcSettings.from(settings(prefix)));
        db.start();
        return db;
    }

    /** A plain JDBC connection, outside any pool. */
    Connection connect(String prefix) throws SQLException {
        return DriverManager.getConnection(url(prefix), user, null);
    }

    /** Runs {@code sql} on a connection of its own: what a test does behind the store's back. */
    void execute(String prefix, String... sql) {
        try (Connection c = connect(prefix); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run " + List.of(sql) + " on " + this + ": " + e.getMessage(), e);
        }
    }

    /** Drops the tables made under {@code prefix}. */
    void dropTables(String prefix) {
        if (this == H2) {
            execute(prefix, "DROP ALL OBJECTS");
            return;
        }
        List<String> drops = new ArrayList<>();
        for (String table : List.of("message", "channel", "session", "session_name", "presence_member", "presence_user", "presence_total",
                "presence_channel", "schema_history", "notify_spill")) {
            drops.add("DROP TABLE IF EXISTS " + prefix + table);
        }
        execute(prefix, drops.toArray(String[]::new));
    }
}
