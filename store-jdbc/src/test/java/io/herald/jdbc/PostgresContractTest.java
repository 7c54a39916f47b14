package io.herald.jdbc;

import org.junit.jupiter.api.Nested;

/** Every testkit contract on the real PostgreSQL (HERALD_JDBC_URL or 127.0.0.1:5432). */
class PostgresContractTest extends JdbcContracts {

    @Override
    Databases database() {
        return Databases.POSTGRESQL;
    }

    @Nested
    class History extends HistoryRules {
    }

    @Nested
    class Sessions extends SessionRules {
    }

    @Nested
    class Presence extends PresenceRules {
    }

    @Nested
    class Brokers extends BrokerRules {
    }
}
