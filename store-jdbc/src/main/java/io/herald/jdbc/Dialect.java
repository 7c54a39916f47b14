package io.herald.jdbc;

import java.sql.SQLException;

/**
 * What differs between the databases the store runs on: where their migrations are, and how they report a
 * duplicate key or a transaction to retry. Everything else is the same SQL on all three. Immutable.
 */
enum Dialect {
    POSTGRESQL("postgresql"),
    MYSQL("mysql"),
    H2("h2");

    private final String migrations;

    Dialect(String migrations) {
        this.migrations = migrations;
    }

    /** The dialect of a JDBC URL, or {@code null} for a database the store does not support. */
    static Dialect of(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            return MYSQL;
        }
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        return null;
    }

    /** The Flyway location of this database's migrations. */
    String migrationLocation() {
        return "classpath:io/herald/jdbc/migration/" + migrations;
    }

    /** Whether {@code e} says a row with that key exists already (another node inserted it first). */
    static boolean isDuplicateKey(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if ("23505".equals(state) || x.getErrorCode() == 1062 || (state != null && state.equals("23000") && x.getErrorCode() == 1062)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the transaction failed only because of another one (deadlock, serialization): run it again. */
    static boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (state != null && (state.equals("40001") || state.equals("40P01"))) {
                return true;
            }
            // MariaDB: deadlock (1213) and lock wait timeout (1205); H2: deadlock (40001 above) and lock timeout (50200).
            if (x.getErrorCode() == 1213 || x.getErrorCode() == 1205 || x.getErrorCode() == 50200) {
                return true;
            }
        }
        return false;
    }
}
