package io.herald.jdbc;

import org.junit.jupiter.api.Nested;

/** Every testkit contract on H2 in memory, the embedded single-node choice. */
class H2ContractTest extends JdbcContracts {

    @Override
    Databases database() {
        return Databases.H2;
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
