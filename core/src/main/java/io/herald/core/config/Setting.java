package io.herald.core.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One named, typed setting with its default. The same setting is reachable three ways, derived from its
 * dotted key: {@code history.size} is the config-file key {@code history.size} (or nested
 * {@code history: {size: ...}}), the flag {@code --history-size} and the variable {@code HERALD_HISTORY_SIZE}.
 *
 * <p>Immutable and thread-safe. Declare settings as constants next to the code that reads them.
 *
 * @param <T> the value type
 */
public final class Setting<T> {

    private final String key;
    private final String description;
    private final String defaultText;
    private final Function<String, T> parser;
    private final boolean secret;

    private Setting(String key, String description, String defaultText, Function<String, T> parser, boolean secret) {
        this.key = Objects.requireNonNull(key, "key");
        this.description = Objects.requireNonNull(description, "description");
        this.defaultText = defaultText;
        this.parser = parser;
        this.secret = secret;
        if (!key.matches("[a-z][a-z0-9]*([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting keys are lowercase dotted words: " + key);
        }
    }

    /** A text setting; {@code defaultValue} may be {@code null} for "not set". */
    public static Setting<String> string(String key, String defaultValue, String description) {
        return new Setting<>(key, description, defaultValue, Function.identity(), false);
    }

    /** A text setting whose value is never printed (passwords, keys). */
    public static Setting<String> secret(String key, String description) {
        return new Setting<>(key, description, null, Function.identity(), true);
    }

    /** An integer setting within {@code [min, max]}. */
    public static Setting<Integer> integer(String key, int defaultValue, int min, int max, String description) {
        return new Setting<>(key, description, String.valueOf(defaultValue), text -> {
            int value;
            try {
                value = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " is not within " + min + ".." + max);
            }
            return value;
        }, false);
    }

    /** A duration setting: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare number is seconds. */
    public static Setting<Duration> duration(String key, String defaultValue, String description) {
        return new Setting<>(key, description, defaultValue, Setting::parseDuration, false);
    }

    /** A size in bytes: {@code 512}, {@code 64KiB}, {@code 4MiB} (also {@code kb}, {@code mb}, {@code k}, {@code m}). */
    public static Setting<Long> size(String key, String defaultValue, String description) {
        return new Setting<>(key, description, defaultValue, Setting::parseSize, false);
    }

    /** A comma-separated list; empty items are dropped. */
    public static Setting<List<String>> list(String key, String defaultValue, String description) {
        return new Setting<>(key, description, defaultValue,
                text -> Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(), false);
    }

    /** A boolean: {@code true/false}, {@code yes/no}, {@code on/off}. */
    public static Setting<Boolean> bool(String key, boolean defaultValue, String description) {
        return new Setting<>(key, description, String.valueOf(defaultValue), text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        }, false);
    }

    /** The dotted config-file key, e.g. {@code history.size}. */
    public String key() {
        return key;
    }

    /** The command-line flag, e.g. {@code --history-size}. */
    public String flag() {
        return "--" + key.replace('.', '-');
    }

    /** The environment variable, e.g. {@code HERALD_HISTORY_SIZE}. */
    public String env() {
        return "HERALD_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** One line of help. */
    public String description() {
        return description;
    }

    /** The default as text, or {@code null} when unset by default. */
    public String defaultText() {
        return defaultText;
    }

    /** Whether values must never be printed. */
    public boolean isSecret() {
        return secret;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message saying why the text is not a valid value
     */
    public T parse(String text) {
        return parser.apply(text);
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 30s, 250ms, 5m");
        }
        long amount;
        try {
            amount = Long.parseLong(t.substring(0, split));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration");
        }
        return switch (t.substring(split)) {
            case "", "s" -> Duration.ofSeconds(amount);
            case "ms" -> Duration.ofMillis(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit; use ms, s, m, h or d");
        };
    }

    static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size like 65536, 64KiB, 4MiB");
        }
        long amount = Long.parseLong(t.substring(0, split));
        long unit = switch (t.substring(split).trim()) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1024;
            case "m", "mb", "mib" -> 1024 * 1024;
            case "g", "gb", "gib" -> 1024L * 1024 * 1024;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit; use KiB, MiB or GiB");
        };
        return Math.multiplyExact(amount, unit);
    }

    @Override
    public String toString() {
        return key;
    }
}
