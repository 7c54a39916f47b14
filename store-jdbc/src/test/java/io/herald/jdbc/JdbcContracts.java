package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.PresenceStore;
import io.herald.api.Retention;
import io.herald.api.SessionStore;
import io.herald.testkit.contract.HistoryStoreContract;
import io.herald.testkit.contract.PresenceStoreContract;
import io.herald.testkit.contract.SessionStoreContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Every testkit contract against one real database; a subclass per database names it and declares the
 * {@code @Nested} classes (there, so that test filters by class name find them). The class's tables
 * carry a prefix of their own, dropped at the end; a second pool over them is another node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcContracts {

    private final String prefix = Databases.uniquePrefix();
    private final List<JdbcDatabase> pools = new ArrayList<>();
    private JdbcDatabase db;

    abstract Databases database();

    @BeforeAll
    void startDatabase() {
        db = node();
    }

    @AfterAll
    void dropTables() {
        pools.forEach(JdbcDatabase::stop);
        database().dropTables(prefix);
    }

    /** A pool of its own over the class's tables: another node. */
    synchronized JdbcDatabase node() {
        JdbcDatabase node = database().start(prefix);
        pools.add(node);
        return node;
    }

    abstract class HistoryRules extends HistoryStoreContract {
        @Override
        protected HistoryStore createStore(Retention.Policy retention) {
            return new JdbcHistoryStore(db, retention, Clock.systemUTC());
        }

        @Override
        protected void loseHistory(ChannelName channel) {
            // What a lost or restored database does to one channel: its rows are gone.
            String name = channel.toString().replace("'", "''");
            database().execute(prefix, "DELETE FROM " + prefix + "message WHERE channel = '" + name + "'",
                    "DELETE FROM " + prefix + "channel WHERE channel = '" + name + "'");
        }

        @Override
        protected HistoryStore restartStore() {
            return new JdbcHistoryStore(node(), retention(), Clock.systemUTC());
        }
    }

    abstract class SessionRules extends SessionStoreContract {
        @Override
        protected SessionStore createStore() {
            return new JdbcSessionStore(db, Clock.systemUTC());
        }

        @Override
        protected SessionStore restartStore() {
            return new JdbcSessionStore(node(), Clock.systemUTC());
        }
    }

    abstract class PresenceRules extends PresenceStoreContract {
        @Override
        protected PresenceStore createStore() {
            return new JdbcPresenceStore(db, Clock.systemUTC());
        }

        /** Another node, on a pool of its own, so that the cross-node rules race two pools. */
        @Override
        protected PresenceStore createPeerStore() {
            return new JdbcPresenceStore(node(), Clock.systemUTC());
        }
    }

    /** The postgres broker over the class's tables; only the PostgreSQL contract uses it. */
    abstract class BrokerRules extends io.herald.testkit.contract.BrokerContract {
        @Override
        protected io.herald.api.Broker createBroker() {
            return new PostgresBroker(JdbcSettings.from(database().settings(prefix)));
        }

        @Override
        protected io.herald.api.Broker createPeerBroker() {
            return createBroker();
        }

        /** Kills this broker's listening backend, as a database restart or a network cut would. */
        @Override
        protected boolean dropConnection(io.herald.api.Broker broker) throws Exception {
            int pid = ((PostgresBroker) broker).listenerPid();
            database().execute(prefix, "SELECT pg_terminate_backend(" + pid + ")");
            return true;
        }
    }
}
