package io.herald.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

    /** A plugin's setting, as the Redis store declares it: nested in the file, overridden by its variable. */
    private static final Setting<String> REDIS_URL = Setting.string("redis.url", "redis://127.0.0.1:6379", "Redis URL");

    private final SettingsLoader loader = new SettingsLoader(
            java.util.stream.Stream.concat(CoreSettings.all().stream(), java.util.stream.Stream.of(REDIS_URL)).toList());

    @Test
    void everySettingHasADefault() {
        Settings settings = loader.load(List.of(), Map.of());
        assertThat(settings.get(CoreSettings.STORE)).isEqualTo("memory");
        assertThat(settings.get(CoreSettings.HISTORY_SIZE)).isEqualTo(100);
        assertThat(settings.get(CoreSettings.SESSION_TTL)).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD)).isEqualTo(64 * 1024);
        assertThat(settings.get(CoreSettings.TOKEN_SECRET)).isNull();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("herald.yml");
        Files.writeString(file, """
                store: redis
                history:
                  size: 7
                session.ttl: 10m
                transports: [sse, stomp]
                redis:
                  url: redis://file:1/0
                """);
        Settings settings = loader.load(List.of("--config", file.toString(), "--history-size=9"),
                Map.of("HERALD_HISTORY_SIZE", "8", "HERALD_REDIS_URL", "redis://env:2/0", "PATH", "/bin"));
        assertThat(settings.get(CoreSettings.STORE)).isEqualTo("redis");
        assertThat(settings.get(CoreSettings.HISTORY_SIZE)).isEqualTo(9);
        assertThat(settings.get(REDIS_URL)).isEqualTo("redis://env:2/0");
        assertThat(settings.get(CoreSettings.SESSION_TTL)).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.get(CoreSettings.TRANSPORTS)).containsExactly("sse", "stomp");
        assertThat(settings.sourceOf(CoreSettings.HISTORY_SIZE)).isEqualTo("flag");
    }

    @Test
    void theConfigFileCanComeFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("herald.json");
        Files.writeString(file, "{\"history.size\": 5}");
        Settings settings = loader.load(List.of(), Map.of("HERALD_CONFIG", file.toString()));
        assertThat(settings.get(CoreSettings.HISTORY_SIZE)).isEqualTo(5);
    }

    @Test
    void unknownFlagsAreRefusedInOneLine() {
        assertThatThrownBy(() -> loader.load(List.of("--histroy-size", "5"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown option --histroy-size (see --help)");
    }

    @Test
    void invalidValuesNameTheSettingAndWhereItCameFrom() {
        assertThatThrownBy(() -> loader.load(List.of("--history-size", "lots"), Map.of()))
                .hasMessage("invalid value for --history-size: 'lots' is not a whole number");
        assertThatThrownBy(() -> loader.load(List.of(), Map.of("HERALD_SESSION_TTL", "5 fortnights")))
                .hasMessageContaining("HERALD_SESSION_TTL");
        assertThatThrownBy(() -> loader.load(List.of("--history-size", "0"), Map.of()))
                .hasMessageContaining("not within 1..");
        assertThatThrownBy(() -> loader.load(List.of("--store"), Map.of()))
                .hasMessage("option --store needs a value");
    }

    @Test
    void unknownFileKeysAndMissingFilesAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, "histroy:\n  size: 5\n");
        assertThatThrownBy(() -> loader.load(List.of("--config", file.toString()), Map.of()))
                .hasMessageContaining("unknown setting 'histroy.size'");
        assertThatThrownBy(() -> loader.load(List.of("--config", dir.resolve("none.yml").toString()), Map.of()))
                .hasMessageStartingWith("cannot read config file");
    }

    @Test
    void unknownHeraldVariablesOnlyWarn() {
        loader.load(List.of(), Map.of("HERALD_NOPE", "1"));
        assertThat(loader.warnings()).containsExactly("ignoring unknown environment variable HERALD_NOPE");
    }

    @Test
    void sizesAndDurationsTakeUnits() {
        assertThat(Setting.parseSize("4MiB")).isEqualTo(4 * 1024 * 1024);
        assertThat(Setting.parseSize("512")).isEqualTo(512);
        assertThat(Setting.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Setting.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> Setting.parseSize("4 parsecs")).hasMessageContaining("unknown unit");
    }

    @Test
    void namesDeriveFromTheKey() {
        assertThat(CoreSettings.HISTORY_MAX_AGE.flag()).isEqualTo("--history-max-age");
        assertThat(CoreSettings.HISTORY_MAX_AGE.env()).isEqualTo("HERALD_HISTORY_MAX_AGE");
    }
}
