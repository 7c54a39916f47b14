package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Publication;
import io.herald.api.StoreException;
import io.herald.core.Herald;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import java.io.IOException;
import java.net.ServerSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A database that cannot be used refuses the start with one line naming the URL and the database's reason. */
class StartupFailureTest {

    private static String refusal(Settings settings) {
        Herald herald = Herald.builder().settings(settings).store(new JdbcStoreModule(settings)).build();
        Throwable refused = catchThrowable(herald::start);
        assertThat(refused).as("start with %s", settings).isInstanceOf(StoreException.class);
        assertThat(herald.isRunning()).isFalse();
        Awaitility.await("no thread of the store is left after a refused start")
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("herald-jdbc")));
        assertThat(refused.getMessage()).as("the refusal is one line").doesNotContain("\n");
        return refused.getMessage();
    }

    @Test
    void unreachablePostgres() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/test";
        assertThat(refusal(Settings.defaults().with(JdbcSettings.URL, url).with(JdbcSettings.USER, "postgres")))
                .startsWith("cannot connect to the database at " + url + ": ")
                .contains("Connection refused");
    }

    @Test
    void missingPostgresDatabase() {
        String url = Databases.POSTGRESQL.url("x").replaceAll("/[^/?]*(\\?.*)?$", "/herald_no_such_db");
        assertThat(refusal(Settings.defaults().with(JdbcSettings.URL, url).with(JdbcSettings.USER, "postgres")))
                .startsWith("cannot connect to the database at " + url + ": ")
                .contains("herald_no_such_db").contains("does not exist");
    }

    @Test
    void wrongMariaDbPassword() {
        String url = Databases.MARIADB.url("x");
        String message = refusal(Settings.defaults().with(JdbcSettings.URL, url).with(JdbcSettings.USER, "herald_nobody")
                .with(JdbcSettings.PASSWORD, "wrong-Pw"));
        assertThat(message).startsWith("cannot connect to the database at " + url + ": ").contains("Access denied")
                .doesNotContain("wrong-Pw");
    }

    @Test
    void theRightSettingsStartAndStopCleanly() {
        String prefix = Databases.uniquePrefix();
        Settings settings = Databases.H2.settings(prefix);
        Herald herald = Herald.builder().settings(settings).store(new JdbcStoreModule(settings)).build().start();
        try {
            HistoryStore history = herald.injector().getInstance(HistoryStore.class);
            assertThat(history.append(Publication.json(ChannelName.of("/start/ok"), "{}")).offset()).isEqualTo(1);
        } finally {
            herald.stop();
        }
        Awaitility.await("the store's threads end when Herald stops")
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("herald-jdbc")));
    }

    @Test
    void anUnsupportedUrlIsAConfigurationError() {
        Settings oracle = Settings.defaults().with(JdbcSettings.URL, "jdbc:oracle:thin:@h:1521:x");
        assertThatThrownBy(() -> new JdbcStoreModule(oracle)).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for jdbc.url (code): 'jdbc:oracle:thin:@h:1521:x' is not a PostgreSQL, MariaDB/MySQL or H2 JDBC URL "
                        + "(jdbc:postgresql://, jdbc:mariadb://, jdbc:mysql:// or jdbc:h2:)");
        Settings prefix = Settings.defaults().with(JdbcSettings.TABLE_PREFIX, "drop table;");
        assertThatThrownBy(() -> new JdbcStoreModule(prefix)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("jdbc.table-prefix");
    }

    @Test
    void thePluginIsFoundByNameAndDeclaresItsSettings() {
        HeraldPlugin plugin = PluginCatalog.discover().select("jdbc", HeraldPlugin.Kind.STORE);
        assertThat(plugin).isInstanceOf(JdbcStorePlugin.class);
        assertThat(plugin.settings()).extracting(s -> s.key()).containsExactly("jdbc.url", "jdbc.user", "jdbc.password",
                "jdbc.pool-size", "jdbc.table-prefix", "jdbc.prune-interval");
    }
}
