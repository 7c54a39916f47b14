package io.herald.jdbc;

import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the {@code jdbc} store and the {@code postgres} broker: {@code jdbc.url}
 * ({@code --jdbc-url}, {@code HERALD_JDBC_URL}), {@code jdbc.user}, {@code jdbc.password},
 * {@code jdbc.pool-size}, {@code jdbc.table-prefix} and {@code jdbc.prune-interval}.
 *
 * <p>{@link #validate()} refuses what cannot work in one line (an unsupported database, a bad prefix), whether
 * Herald is assembled in code or by the server from flags. Immutable and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param url the JDBC URL: {@code jdbc:postgresql:}, {@code jdbc:mariadb:}/{@code jdbc:mysql:} or {@code jdbc:h2:}
 * @param user the database user, or {@code null} for the URL's or the driver's default
 * @param password the password, or {@code null}
 * @param poolSize connections in the node's pool
 * @param tablePrefix prefix of every table, so several Herald clusters (or test runs) can share one schema
 * @param pruneInterval how often retention is enforced on disk (reads apply it at once anyway)
 */
public record JdbcSettings(Settings source, String url, String user, String password, int poolSize, String tablePrefix,
                           Duration pruneInterval) implements PluginSettings {

    /** Where the database is; by default an H2 file under {@code ./data}, written through at every commit. */
    public static final Setting<String> URL = Setting.string("jdbc.url", "jdbc:h2:file:./data/herald",
            "JDBC URL of the jdbc store: jdbc:postgresql://, jdbc:mariadb:// or jdbc:h2:");
    /** The database user. */
    public static final Setting<String> USER = Setting.string("jdbc.user", null, "JDBC user (jdbc plugin)");
    /** The database password. */
    public static final Setting<String> PASSWORD = Setting.secret("jdbc.password", "JDBC password (jdbc plugin)");
    /** Connections in the node's pool (the PostgreSQL broker's listening connection is extra). */
    public static final Setting<Integer> POOL_SIZE = Setting.integer("jdbc.pool-size", 10, 2, 1024,
            "JDBC connections per node, besides the postgres broker's listening connection");
    /** Prefix of every table Herald creates. */
    public static final Setting<String> TABLE_PREFIX = Setting.string("jdbc.table-prefix", "herald_",
            "prefix of every table the jdbc store creates ([a-z0-9_], up to 24 characters)");
    /** How often old messages are deleted, in batches of 500. */
    public static final Setting<Duration> PRUNE_INTERVAL = Setting.duration("jdbc.prune-interval", "10s",
            "how often the jdbc store deletes messages out of retention");

    /** The settings above. */
    public static List<Setting<?>> all() {
        return List.of(URL, USER, PASSWORD, POOL_SIZE, TABLE_PREFIX, PRUNE_INTERVAL);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static JdbcSettings from(Settings settings) {
        return new JdbcSettings(settings, settings.get(URL), settings.get(USER), settings.get(PASSWORD),
                settings.get(POOL_SIZE), settings.get(TABLE_PREFIX), settings.get(PRUNE_INTERVAL));
    }

    @Override
    public void validate() {
        dialect();
        if (tablePrefix == null || !tablePrefix.matches("[a-z0-9_]{0,24}")) {
            throw source.invalid(TABLE_PREFIX, "use up to 24 of [a-z0-9_], got '" + tablePrefix + "'");
        }
        if (pruneInterval.isNegative() || pruneInterval.isZero()) {
            throw source.invalid(PRUNE_INTERVAL, "it must be positive, got " + pruneInterval);
        }
        if (poolSize < 2) {
            throw source.invalid(POOL_SIZE, "at least 2 (one writer, one reader), got " + poolSize);
        }
    }

    /** The database the URL names. */
    Dialect dialect() {
        Dialect dialect = url == null ? null : Dialect.of(url);
        if (dialect == null) {
            throw source.invalid(URL, "'" + url + "' is not a PostgreSQL, MariaDB/MySQL or H2 JDBC URL "
                    + "(jdbc:postgresql://, jdbc:mariadb://, jdbc:mysql:// or jdbc:h2:)");
        }
        return dialect;
    }

    /** The URL the pool connects with: an H2 file is written through at each commit (WRITE_DELAY=0). */
    String connectUrl() {
        if (dialect() == Dialect.H2 && url.startsWith("jdbc:h2:file:") && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }

    @Override
    public String toString() {
        return "JdbcSettings[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + ", tablePrefix=" + tablePrefix + ", pruneInterval=" + pruneInterval + "]";
    }
}
