package io.herald.server;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.util.List;

/**
 * Settings of the runnable server beyond those of the engine ({@link io.herald.core.config.CoreSettings}) and
 * of the HTTP port ({@link io.herald.http.HttpSettings}): the API key and where the API, metrics and health
 * endpoints are mounted.
 */
public final class ServerSettings {

    public static final Setting<String> API_KEY = Setting.secret("api.key",
            "bearer key the publish and admin API (/api/*) require; unset: that API is open to anyone");
    public static final Setting<String> API_PATH = Setting.string("api.path", "/api",
            "path prefix of the publish, history, presence and stats API");
    public static final Setting<String> METRICS_PATH = Setting.string("metrics.path", "/metrics",
            "path of the Prometheus metrics");
    public static final Setting<String> HEALTH_PATH = Setting.string("health.path", "/health",
            "path of the health check (200 when ready, 503 otherwise)");

    private ServerSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(API_KEY, API_PATH, METRICS_PATH, HEALTH_PATH);
    }

    /**
     * Checks what {@link Setting} parsing cannot: that each path is absolute and ends without a slash, and that
     * a key or secret given is not empty (an empty one would silently mean "open").
     *
     * @throws ConfigurationException naming the first bad setting and where it was given
     */
    public static void validate(Settings settings) {
        for (Setting<String> secret : List.of(API_KEY, CoreSettings.TOKEN_SECRET)) {
            String value = settings.get(secret);
            if (value != null && value.isBlank()) {
                throw new ConfigurationException("invalid value for " + describe(settings, secret)
                        + ": it is empty; leave it unset instead");
            }
        }
        for (Setting<String> path : List.of(API_PATH, METRICS_PATH, HEALTH_PATH)) {
            String value = settings.get(path);
            if (!value.matches("(/[A-Za-z0-9._~-]+)+")) {
                throw new ConfigurationException("invalid value for " + describe(settings, path) + ": '" + value
                        + "' is not a path like /api (no trailing slash)");
            }
        }
    }

    /** The setting as the user gave it: its flag, its variable, or its key in the named file. */
    private static String describe(Settings settings, Setting<?> setting) {
        String source = settings.sourceOf(setting);
        return switch (source) {
            case "flag" -> setting.flag();
            case "env" -> setting.env();
            default -> setting.key() + " (" + source + ")";
        };
    }
}
