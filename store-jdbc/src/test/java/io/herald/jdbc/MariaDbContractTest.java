package io.herald.jdbc;

import org.junit.jupiter.api.Nested;

/** Every testkit contract on the real MariaDB (127.0.0.1:3306, db test). */
class MariaDbContractTest extends JdbcContracts {

    @Override
    Databases database() {
        return Databases.MARIADB;
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
}
