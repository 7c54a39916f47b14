package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Module;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Position;
import io.herald.bayeux.BayeuxSettings;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.jdbc.JdbcSettings;
import io.herald.jdbc.JdbcStoreModule;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume through history: a client stopped (session left alive) and built again on the same identity gets
 * exactly what was published while it was away; beyond retention it is told the exact gap; a server restarted
 * on Redis or on PostgreSQL is carried through with no loss.
 */
class ResumeTest {

    private static List<String> publish(TestHerald server, String channel, int from, int to) {
        List<String> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            server.herald.publish(ChannelName.of(channel), "{\"n\":" + i + "}");
            sent.add("{\"n\":" + i + "}");
        }
        return sent;
    }

    private static HeraldClient client(TestHerald server, IdentityStore identity, List<String> got, List<Gap> gaps) {
        HeraldClient c = HeraldClient.builder(server.bayeux()).identityStore(identity).onMissed(gaps::add)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
        c.connect().join();
        c.subscribe("/feed", m -> got.add(m.json())).join();
        return c;
    }

    @Test
    void aStoppedClientResumesItsSessionAndGetsExactlyWhatItMissed(@TempDir Path dir) {
        try (TestHerald server = new TestHerald(Settings.defaults(), null)) {
            IdentityStore identity = IdentityStore.file(dir.resolve("id.json"));
            List<String> got = new CopyOnWriteArrayList<>();
            List<Gap> gaps = new CopyOnWriteArrayList<>();
            HeraldClient first = client(server, identity, got, gaps);
            List<String> expected = new ArrayList<>(publish(server, "/feed", 0, 3));
            await().until(() -> got.size() == 3);
            String id = first.clientId();
            first.stop();
            assertThat(identity.load().clientId()).isEqualTo(id);
            assertThat(identity.load().positions()).containsKey("/feed");

            expected.addAll(publish(server, "/feed", 3, 8));
            HeraldClient second = client(server, identity, got, gaps);
            await().untilAsserted(() -> assertThat(got).containsExactlyElementsOf(expected));
            assertThat(second.clientId()).isEqualTo(id);
            assertThat(gaps).isEmpty();
            second.disconnect();
            assertThat(identity.load()).isEqualTo(Identity.EMPTY);
            assertThat(Files.exists(dir.resolve("id.json"))).isFalse();
        }
    }

    @Test
    void beyondRetentionTheMissedListenerGetsTheExactGapThenWhatHistoryHolds() {
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, "5").with(BayeuxSettings.MAX_INTERVAL, "200ms");
        try (TestHerald server = new TestHerald(settings, null)) {
            IdentityStore identity = IdentityStore.memory();
            List<String> got = new CopyOnWriteArrayList<>();
            List<Gap> gaps = new CopyOnWriteArrayList<>();
            HeraldClient first = client(server, identity, got, gaps);
            publish(server, "/feed", 0, 2);
            await().until(() -> got.size() == 2);
            first.stop();
            Position last = identity.load().positions().get("/feed");

            List<String> sent = publish(server, "/feed", 2, 22);
            HeraldClient second = client(server, identity, got, gaps);
            await().untilAsserted(() -> {
                assertThat(got).hasSize(7);
                assertThat(gaps).hasSize(1);
            });
            assertThat(gaps.get(0)).isEqualTo(Gap.retention(ChannelName.of("/feed"), last.epoch(), last.offset(), last.offset() + 16));
            assertThat(got.subList(2, 7)).containsExactlyElementsOf(sent.subList(15, 20));
            second.close();
        }
    }

    @Test
    void aServerRestartedOnRedisIsCarriedThroughWithNoLoss() {
        Settings settings = Settings.defaults().with(RedisSettings.PREFIX, "herald-client-" + UUID.randomUUID() + ":");
        carriedThroughARestart(settings, () -> new RedisStoreModule(settings));
    }

    @Test
    void aServerRestartedOnPostgresqlIsCarriedThroughWithNoLoss() throws SQLException {
        String prefix = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        Settings settings = Settings.defaults().with(JdbcSettings.URL, url).with(JdbcSettings.USER, "postgres")
                .with(JdbcSettings.TABLE_PREFIX, prefix);
        try {
            carriedThroughARestart(settings, () -> new JdbcStoreModule(settings));
        } finally {
            try (var connection = DriverManager.getConnection(url, "postgres", null);
                    var statement = connection.createStatement()) {
                for (String table : List.of("message", "channel", "session", "session_name", "presence_member",
                        "presence_user", "presence_total", "presence_channel", "schema_history", "notify_spill")) {
                    statement.execute("DROP TABLE IF EXISTS " + prefix + table);
                }
            }
        }
    }

    /**
     * A client connected to a server on {@code store} that is stopped and started again on the same port and store
     * while messages are published before and after: it keeps its client id and gets every message once, in order.
     */
    private static void carriedThroughARestart(Settings settings, Supplier<Module> store) {
        List<String> got = new CopyOnWriteArrayList<>();
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        List<String> expected = new ArrayList<>();
        TestHerald server = new TestHerald(settings, store.get());
        int port = server.port();
        HeraldClient c = client(server, IdentityStore.memory(), got, gaps);
        try {
            String id = c.clientId();
            expected.addAll(publish(server, "/feed", 0, 3));
            await().until(() -> got.size() == 3);
            server.close();
            server = new TestHerald(settings, store.get(), port);
            expected.addAll(publish(server, "/feed", 3, 9));
            await().until(() -> got.size() == 9 && c.state() == ConnectionState.CONNECTED);
            assertThat(got).containsExactlyElementsOf(expected);
            assertThat(c.clientId()).isEqualTo(id);
            assertThat(gaps).isEmpty();
        } finally {
            c.close();
            server.close();
        }
    }
}
