package io.herald.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved configuration: every value that was given, by dotted key, with where it came from. Values not
 * given fall back to each {@link Setting}'s default when read.
 *
 * <p>Immutable and thread-safe. Build one with {@link SettingsLoader} (file, environment, flags) or, in code
 * and tests, with {@link #of(Map)} and {@link #with}.
 */
public final class Settings {

    private static final Settings EMPTY = new Settings(Map.of(), Map.of());

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private Settings(Map<String, String> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    /** No values: every setting reads as its default. */
    public static Settings defaults() {
        return EMPTY;
    }

    /** Settings holding {@code values}, by dotted key. */
    public static Settings of(Map<String, String> values) {
        Map<String, String> sources = new LinkedHashMap<>();
        values.keySet().forEach(k -> sources.put(k, "code"));
        return new Settings(Map.copyOf(values), Map.copyOf(sources));
    }

    /** These settings with {@code setting} given as {@code value}. */
    public Settings with(Setting<?> setting, String value) {
        return with(setting.key(), value, "code");
    }

    Settings with(String key, String value, String source) {
        Map<String, String> v = new LinkedHashMap<>(values);
        Map<String, String> s = new LinkedHashMap<>(sources);
        v.put(key, value);
        s.put(key, source);
        return new Settings(Collections.unmodifiableMap(v), Collections.unmodifiableMap(s));
    }

    /**
     * The value of {@code setting}: the given one, or its default.
     *
     * @return {@code null} only when the setting has no default and was not given
     * @throws ConfigurationException if the given text is not a valid value, naming the setting and its source
     */
    public <T> T get(Setting<T> setting) {
        Objects.requireNonNull(setting, "setting");
        String text = values.get(setting.key());
        String source = sources.get(setting.key());
        if (text == null) {
            text = setting.defaultText();
            source = "default";
            if (text == null) {
                return null;
            }
        }
        try {
            return setting.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigurationException("invalid value for " + describe(setting, source) + ": " + e.getMessage());
        }
    }

    /** Whether {@code setting} was given rather than defaulted. */
    public boolean isSet(Setting<?> setting) {
        return values.containsKey(setting.key());
    }

    /** Where the value of {@code setting} came from: a flag, a variable, a file, {@code code} or {@code default}. */
    public String sourceOf(Setting<?> setting) {
        return sources.getOrDefault(setting.key(), "default");
    }

    /** The given values by key, secrets included; for diagnostics use {@link #toString()}. */
    public Map<String, String> values() {
        return values;
    }

    /**
     * The refusal of the value given for {@code setting}, naming it as it was given: its flag, its variable,
     * or its key and file ({@code invalid value for --redis-url: ...}). For {@link PluginSettings#validate()}.
     */
    public ConfigurationException invalid(Setting<?> setting, String why) {
        return new ConfigurationException("invalid value for " + describe(setting) + ": " + why);
    }

    /** {@code setting} as it was given: {@code --redis-url}, {@code HERALD_REDIS_URL}, {@code redis.url (herald.yml)}. */
    public String describe(Setting<?> setting) {
        return describe(setting, sourceOf(setting));
    }

    private static String describe(Setting<?> setting, String source) {
        return switch (source == null ? "default" : source) {
            case "flag" -> setting.flag();
            case "env" -> setting.env();
            case "default" -> setting.key() + " (default)";
            default -> setting.key() + " (" + source + ")";
        };
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        values.forEach((k, v) -> shown.put(k, k.contains("secret") || k.contains("password") || k.contains("key") ? "***" : v));
        return shown.toString();
    }
}
