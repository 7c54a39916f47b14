package io.herald.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.api.Lifecycle;
import io.herald.api.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The node's connection pool (HikariCP) over the database, and the schema: on {@link #start()} it connects and
 * migrates the tables with Flyway, which takes a database lock while it migrates, so several nodes starting at
 * once create the tables once and the rest find them done. A database that cannot be used refuses the start
 * with one line naming the URL and why. Thread-safe.
 */
final class JdbcDatabase implements Lifecycle {

    private final JdbcSettings settings;
    private final Dialect dialect;
    private final Tables tables;
    private volatile HikariDataSource pool;

    JdbcDatabase(JdbcSettings settings) {
        settings.validate();
        this.settings = settings;
        this.dialect = settings.dialect();
        this.tables = new Tables(settings.tablePrefix());
    }

    @Override
    public synchronized void start() {
        if (pool != null) {
            return;
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("herald-jdbc");
        config.setJdbcUrl(settings.connectUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        // Fail the start at once, with the driver's reason, rather than waiting for a first query.
        config.setInitializationFailTimeout(1);
        // READ COMMITTED everywhere: MariaDB's default REPEATABLE READ takes gap locks on the counter rows that
        // deadlock two nodes creating one channel; PostgreSQL and H2 default to it already.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setAutoCommit(true);
        if (dialect == Dialect.POSTGRESQL) {
            // Names the node's sessions in pg_stat_activity (an operator, or a test cutting them, can find them).
            config.addDataSourceProperty("ApplicationName", "herald-" + settings.tablePrefix());
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the database at " + settings.url() + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure(JdbcDatabase.class.getClassLoader())
                    .dataSource(ds)
                    .locations(dialect.migrationLocation())
                    .table(tables.prefix() + "schema_history")
                    .placeholders(Map.of("prefix", tables.prefix()))
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            ds.close();
            throw new StoreException("cannot create Herald's tables in the database at " + settings.url() + ": " + rootMessage(e), e);
        }
        pool = ds;
    }

    @Override
    public synchronized void stop() {
        HikariDataSource ds = pool;
        pool = null;
        if (ds != null) {
            ds.close();
        }
    }

    Dialect dialect() {
        return dialect;
    }

    Tables tables() {
        return tables;
    }

    JdbcSettings settings() {
        return settings;
    }

    /**
     * A connection from the pool.
     *
     * @throws StoreException naming {@code what} when the store is not started or the database cannot be reached
     */
    Connection connection(String what) {
        HikariDataSource ds = pool;
        if (ds == null) {
            throw new StoreException("cannot " + what + ": the jdbc store is not started");
        }
        try {
            return ds.getConnection();
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** A {@link StoreException} saying {@code what} failed and the database's reason, on one line. */
    StoreException failure(String what, SQLException e) {
        return new StoreException("cannot " + what + ": database at " + settings.url() + " failed: " + rootMessage(e), e);
    }

    /** Why the database is unusable, for {@code /health}, or {@code null} when a connection answers. */
    String problem() {
        try (Connection c = connection("check the database")) {
            return c.isValid(2) ? null : "the database at " + settings.url() + " does not answer";
        } catch (StoreException | SQLException e) {
            return e.getMessage();
        }
    }

    /** The innermost message of a failure, on one line: what the driver said. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
