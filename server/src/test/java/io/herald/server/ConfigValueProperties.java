package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.config.SettingsLoader;
import io.herald.core.spi.PluginCatalog;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Configuration values come from flags, the environment and files that operators (or scripts fed by others)
 * write: any value for any known setting either loads, with a value every reader can get, or is refused with
 * one {@link ConfigurationException}, never another exception.
 */
class ConfigValueProperties {

    private static final SettingsLoader LOADER = HeraldServer.settingsLoader(PluginCatalog.discover());
    private static final List<Setting<?>> SETTINGS = LOADER.settings().stream().filter(s -> !s.key().equals("config")).toList();

    @Property(tries = 3000)
    void anyValueLoadsOrIsRefusedWithOneLine(@ForAll("settings") Setting<?> setting, @ForAll("values") String value, @ForAll boolean fromEnv) {
        try {
            Settings settings = fromEnv ? LOADER.load(List.of(), Map.of(setting.env(), value))
                    : LOADER.load(List.of(setting.flag(), value), Map.of());
            settings.get(setting);
            ServerSettings.validate(settings);
        } catch (ConfigurationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Setting<?>> settings() {
        return Arbitraries.of(SETTINGS);
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withChars("0123456789-+.,smhdkKiBMGb ".toCharArray()).ofMaxLength(25),
                Arbitraries.of("", " ", "0", "-1", "99999999999999999999", "1e9", "NaN", "true", "yes", "off", "1KiB", "9999999PiB",
                        "5parsecs", "-5s", "/", "//x", "redis://", "redis://:@:/", "jdbc:", ",", ",,,", "a,b,", "\u0000", "%zz"));
    }
}
