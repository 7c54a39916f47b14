package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.PluginCatalog;
import io.herald.http.HttpSettings;
import io.herald.redis.RedisSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("settings from file, environment and flags")
class SettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Settings load(List<String> args, Map<String, String> env) {
        return HeraldServer.settingsLoader(PluginCatalog.discover()).load(args, HeraldServer.settingsEnvironment(env));
    }

    /** Every row of the server contract's settings table (DESIGN.md), with a value other than its default. */
    static Stream<Arguments> contractSettings() {
        return Stream.of(
                Arguments.of(HttpSettings.PORT, "--port", "HERALD_PORT", "9090"),
                Arguments.of(CoreSettings.STORE, "--store", "HERALD_STORE", "redis"),
                Arguments.of(RedisSettings.URL, "--redis-url", "HERALD_REDIS_URL", "redis://10.0.0.5:6380/2"),
                Arguments.of(ContractFlags.JDBC_URL, "--jdbc-url", "HERALD_JDBC_URL", "jdbc:postgresql://db/herald"),
                Arguments.of(ContractFlags.JDBC_USER, "--jdbc-user", "HERALD_JDBC_USER", "herald"),
                Arguments.of(ContractFlags.JDBC_PASSWORD, "--jdbc-password", "HERALD_JDBC_PASSWORD", "pw"),
                Arguments.of(CoreSettings.BROKER, "--broker", "HERALD_BROKER", "redis"),
                Arguments.of(CoreSettings.HISTORY_SIZE, "--history-size", "HERALD_HISTORY_SIZE", "250"),
                Arguments.of(CoreSettings.SESSION_TTL, "--session-ttl", "HERALD_SESSION_TTL", "10m"),
                Arguments.of(ServerSettings.API_KEY, "--api-key", "HERALD_API_KEY", "k3y"),
                Arguments.of(CoreSettings.TOKEN_SECRET, "--token-secret", "HERALD_TOKEN_SECRET", "s3cret"),
                Arguments.of(HttpSettings.CORS_ORIGINS, "--cors-origins", "HERALD_CORS_ORIGINS", "https://a.example,https://b.example"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("contractSettings")
    @DisplayName("every contract setting works as flag, variable, dotted file key and nested file key")
    void everyContractSetting(Setting<?> setting, String flag, String env, String value) throws IOException {
        assertThat(setting.flag()).isEqualTo(flag);
        assertThat(setting.env()).isEqualTo(env);
        Object expected = setting.parse(value);

        assertThat(load(List.of(flag, value), Map.of()).get(setting)).isEqualTo(expected);
        assertThat(load(List.of(flag + "=" + value), Map.of()).get(setting)).isEqualTo(expected);
        assertThat(load(List.of(), Map.of(env, value)).get(setting)).isEqualTo(expected);

        Path dotted = Files.writeString(dir.resolve("dotted.yml"), setting.key() + ": \"" + value + "\"\n");
        assertThat(load(List.of("--config", dotted.toString()), Map.of()).get(setting)).isEqualTo(expected);

        String[] parts = setting.key().split("\\.");
        StringBuilder nested = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            nested.append("  ".repeat(i)).append(parts[i]).append(i == parts.length - 1 ? ": \"" + value + "\"\n" : ":\n");
        }
        Path nestedFile = Files.writeString(dir.resolve("nested.yml"), nested);
        assertThat(load(List.of(), Map.of("HERALD_CONFIG", nestedFile.toString())).get(setting)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a flag beats the environment, which beats the file, which beats the default")
    void precedence() throws IOException {
        Path file = Files.writeString(dir.resolve("herald.yml"), "history:\n  size: 2\nport: 7001\napi:\n  key: file-key\n");
        List<String> config = List.of("--config", file.toString());

        assertThat(load(List.of(), Map.of()).get(CoreSettings.HISTORY_SIZE)).isEqualTo(100);
        assertThat(load(config, Map.of()).get(CoreSettings.HISTORY_SIZE)).isEqualTo(2);
        Settings envOverFile = load(config, Map.of("HERALD_HISTORY_SIZE", "3"));
        assertThat(envOverFile.get(CoreSettings.HISTORY_SIZE)).isEqualTo(3);
        assertThat(envOverFile.get(HttpSettings.PORT)).isEqualTo(7001);
        Settings flagOverEnv = load(List.of("--config", file.toString(), "--history-size", "4"), Map.of("HERALD_HISTORY_SIZE", "3"));
        assertThat(flagOverEnv.get(CoreSettings.HISTORY_SIZE)).isEqualTo(4);
        assertThat(flagOverEnv.sourceOf(CoreSettings.HISTORY_SIZE)).isEqualTo("flag");
        assertThat(flagOverEnv.get(ServerSettings.API_KEY)).isEqualTo("file-key");
    }

    @Test
    @DisplayName("--config beats HERALD_CONFIG, and JSON files work like YAML")
    void configFlagBeatsVariable() throws IOException {
        Path yaml = Files.writeString(dir.resolve("a.yml"), "store: memory\nhistory.size: 7\n");
        Path json = Files.writeString(dir.resolve("b.json"), "{\"history\": {\"size\": 9}, \"transports\": [\"sse\"]}");
        Settings settings = load(List.of("--config", json.toString()), Map.of("HERALD_CONFIG", yaml.toString()));
        assertThat(settings.get(CoreSettings.HISTORY_SIZE)).isEqualTo(9);
        assertThat(settings.get(CoreSettings.TRANSPORTS)).containsExactly("sse");
    }

    @Test
    @DisplayName("a running server applies the winning values: api key from env over file, history size from flag")
    void serverApplies() throws IOException {
        Path file = Files.writeString(dir.resolve("herald.yml"), "api.key: file-key\nhistory.size: 2\nhost: 127.0.0.1\nport: 0\n");
        Map<String, String> env = Map.of("HERALD_CONFIG", file.toString(), "HERALD_API_KEY", "env-key");
        try (TestServer server = TestServer.of(HeraldServer.start(List.of("--history-size", "3"), env))) {
            assertThat(server.publish("/prec/a", "1", "Authorization", "Bearer file-key").statusCode()).isEqualTo(401);
            for (int i = 0; i < 5; i++) {
                assertThat(server.publish("/prec/a", String.valueOf(i), "Authorization", "Bearer env-key").statusCode()).isEqualTo(200);
            }
            JsonNode history = JSON.readTree(server.get("/api/history?channel=/prec/a", "Authorization", "Bearer env-key").body());
            assertThat(history.get("messages")).hasSize(3);
            assertThat(history.get("messages").get(0).get("position").get("offset").asLong()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("the defaults run the contract's development server: port 8080, memory store, all open")
    void defaults() {
        Settings settings = load(List.of(), Map.of());
        assertThat(settings.get(HttpSettings.PORT)).isEqualTo(8080);
        assertThat(settings.get(CoreSettings.STORE)).isEqualTo("memory");
        assertThat(settings.get(CoreSettings.HISTORY_SIZE)).isEqualTo(100);
        assertThat(settings.get(CoreSettings.SESSION_TTL)).hasSeconds(300);
        assertThat(settings.get(RedisSettings.URL)).isEqualTo("redis://127.0.0.1:6379");
        assertThat(settings.get(ServerSettings.API_KEY)).isNull();
        assertThat(settings.get(CoreSettings.TOKEN_SECRET)).isNull();
        assertThat(settings.get(HttpSettings.CORS_ORIGINS)).isEmpty();
        assertThat(settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD)).isEqualTo(64 * 1024);
    }

    @Test
    @DisplayName("mounts the API, metrics, health and the SSE transport's endpoints at configured paths")
    void configuredPaths() {
        try (TestServer server = TestServer.start("--api-path", "/v1/herald", "--metrics-path", "/m", "--health-path", "/ready",
                "--sse-path", "/events", "--sse-cursor-path", "/v1/herald/cursor")) {
            assertThat(server.get("/v1/herald/cursor?channel=/paths/a").body()).contains("\"lastEventId\"");
            assertThat(server.get("/api/cursor?channel=/paths/a").statusCode()).isEqualTo(404);
            assertThat(server.get("/events", "Accept", "application/json").body()).contains("\"connected\"");
            assertThat(server.get("/sse", "Accept", "application/json").statusCode()).isEqualTo(404);
            assertThat(server.publish("/paths/a", "1").statusCode()).isEqualTo(404);
            assertThat(server.post("/v1/herald/publish", "{\"channel\":\"/paths/a\",\"data\":1}").statusCode()).isEqualTo(200);
            assertThat(server.get("/v1/herald/history?channel=/paths/a").body()).contains("\"offset\":1");
            assertThat(server.get("/m").body()).contains("herald_messages_published_total");
            assertThat(server.get("/ready").statusCode()).isEqualTo(200);
            assertThat(server.get("/health").statusCode()).isEqualTo(404);
        }
    }
}
