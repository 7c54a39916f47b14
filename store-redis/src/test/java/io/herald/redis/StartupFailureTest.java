package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.StoreException;
import io.herald.core.Herald;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Redis that cannot be used refuses the start with one line naming the URL (password masked) and why. */
class StartupFailureTest {

    private static PrivateRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = PrivateRedis.start("right-Pw", false);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static String refusal(String url) {
        Herald herald = Nodes.build(Nodes.settings(url, "herald-test:startup:"));
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(herald::start);
        assertThat(refused).as("start with %s", url).isInstanceOf(StoreException.class);
        assertThat(herald.isRunning()).isFalse();
        org.awaitility.Awaitility.await("no thread of the store is left after a refused start")
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("herald-redis")));
        String message = refused.getMessage();
        assertThat(message).as("the refusal is one line").doesNotContain("\n");
        return message;
    }

    @Test
    void unreachableHost() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(refusal("redis://127.0.0.1:" + closed + "/0"))
                .startsWith("cannot connect to Redis at redis://127.0.0.1:" + closed + "/0: ")
                .contains("Connection refused");
    }

    @Test
    void wrongPassword() {
        assertThat(refusal(redis.url("wrong-Pw", 0)))
                .isEqualTo("cannot log in to Redis at redis://:***@127.0.0.1:" + redis.port()
                        + "/0: WRONGPASS invalid username-password pair or user is disabled.")
                .doesNotContain("wrong-Pw");
    }

    @Test
    void missingPassword() {
        assertThat(refusal(redis.url(null, 0)))
                .isEqualTo("cannot log in to Redis at redis://127.0.0.1:" + redis.port() + "/0: NOAUTH Authentication required.");
    }

    @Test
    void wrongDatabase() {
        assertThat(refusal(redis.url("right-Pw", 99)))
                .isEqualTo("Redis at redis://:***@127.0.0.1:" + redis.port() + "/99 has no database 99: ERR DB index is out of range")
                .doesNotContain("right-Pw");
    }

    @Test
    void theRightSettingsStart() {
        Herald herald = Nodes.build(Nodes.settings(redis.url(), "herald-test:startup:")).start();
        try {
            assertThat(herald.isRunning()).isTrue();
        } finally {
            herald.stop();
        }
        org.awaitility.Awaitility.await("the store's threads end when Herald stops")
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("herald-redis")));
    }

    @Test
    void malformedUrlIsAConfigurationError() {
        Settings settings = Settings.defaults().with(RedisSettings.URL, "redis://:s3cret@127.0.0.1:port/0");
        assertThatThrownBy(() -> new RedisStoreModule(settings)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid Redis URL 'redis://:***@127.0.0.1:port/0'").hasMessageNotContaining("s3cret");
        Settings badTimeout = Settings.defaults().with(RedisSettings.TIMEOUT, "soon");
        assertThatThrownBy(() -> new RedisStoreModule(badTimeout)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis.timeout");
    }

    @Test
    void anEmbeddedAssemblyRefusesWhatTheCommandLineRefusesWithTheSameCheck() {
        // The server's CliTest gives --redis-timeout 0s; here the same value comes from code.
        Settings zero = Settings.defaults().with(RedisSettings.TIMEOUT, "0s");
        assertThatThrownBy(() -> Herald.builder().settings(zero).store(new RedisStoreModule(zero)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for redis.timeout (code): it must be positive and under 24 days, got PT0S");
        assertThatThrownBy(() -> Herald.builder().settings(zero).broker(new RedisBrokerModule(zero)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for redis.timeout (code): it must be positive and under 24 days, got PT0S");
        // Typed settings made in code are validated when Herald is built, before anything is bound.
        RedisSettings typed = new RedisSettings(Settings.defaults(), "redis://h:1/0", java.time.Duration.ZERO, 4, "p:");
        assertThatThrownBy(typed::validate).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for redis.timeout (default): it must be positive and under 24 days, got PT0S");
    }

    @Test
    void thePluginsAreFoundByNameAndDeclareTheirSettings() {
        HeraldPlugin broker = PluginCatalog.discover().select("redis", HeraldPlugin.Kind.BROKER);
        assertThat(broker).isInstanceOf(RedisBrokerPlugin.class);
        assertThat(broker.settings()).containsExactlyElementsOf(RedisSettings.all());
    }

    @Test
    void thePluginIsFoundByNameAndDeclaresItsSettings() {
        HeraldPlugin plugin = PluginCatalog.discover().select("redis", HeraldPlugin.Kind.STORE);
        assertThat(plugin).isInstanceOf(RedisStorePlugin.class);
        assertThat(plugin.settings()).containsExactlyElementsOf(RedisSettings.all());
        assertThat(plugin.settings()).extracting(s -> s.key()).containsExactly("redis.url", "redis.timeout", "redis.pool-size", "redis.prefix");
    }
}
