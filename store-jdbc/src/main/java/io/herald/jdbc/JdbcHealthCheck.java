package io.herald.jdbc;

import io.herald.core.HealthCheck;

/** The {@code jdbc} check of {@code /health}: a pooled connection answers. Thread-safe. */
final class JdbcHealthCheck implements HealthCheck {

    private final JdbcDatabase db;

    JdbcHealthCheck(JdbcDatabase db) {
        this.db = db;
    }

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public String problem() {
        return db.problem();
    }
}
