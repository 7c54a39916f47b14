package io.herald.server;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.http.HttpSettings;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the runnable server beyond those of the engine ({@link io.herald.core.config.CoreSettings}) and
 * of the HTTP port ({@link io.herald.http.HttpSettings}, which holds the API key and path the transports share
 * too): where metrics and health are mounted, and whether metrics need the key.
 */
public final class ServerSettings {

    /** The same setting as {@link HttpSettings#API_KEY}: transports guard their admin endpoints with it too. */
    public static final Setting<String> API_KEY = HttpSettings.API_KEY;
    /** The same setting as {@link HttpSettings#API_PATH}: transports mount their admin endpoints under it too. */
    public static final Setting<String> API_PATH = HttpSettings.API_PATH;
    public static final Setting<String> METRICS_PATH = Setting.string("metrics.path", "/metrics",
            "path of the Prometheus metrics");
    public static final Setting<Boolean> METRICS_PUBLIC = Setting.bool("metrics.public", false,
            "serve the metrics without the API key (for scrapers that cannot send one)");
    public static final Setting<String> HEALTH_PATH = Setting.string("health.path", "/health",
            "path of the health check (200 when ready, 503 otherwise)");
    /** Whether a client token that may read a channel's presence may read other users' online time there. */
    public static final Setting<Boolean> PRESENCE_OTHERS = Setting.bool("api.presence-others", false,
            "let a client token that may read a channel's presence read other users' online time there too");

    public static final Setting<Duration> BODY_TIMEOUT = Setting.duration("http.body-timeout", "10s",
            "how long a request body may take to arrive in full (408 after), however steadily it trickles");
    public static final Setting<Integer> MAX_PENDING_BODIES = Setting.integer("http.max-pending-bodies", 256, 1, 100_000,
            "request bodies received at once; more are refused with 503 at once");

    public static final Setting<Integer> PUBLISH_BATCH_MAX = Setting.integer("publish.batch-max", 1000, 1, 100_000,
            "messages in one batch publish (a JSON array to the publish API); more are refused with 413");
    public static final Setting<Long> PUBLISH_BATCH_MAX_BYTES = Setting.size("publish.batch-max-bytes", "1MiB",
            "largest body of a batch publish; larger ones are refused with 413 without being read to the end");

    private ServerSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(METRICS_PATH, METRICS_PUBLIC, HEALTH_PATH, BODY_TIMEOUT, MAX_PENDING_BODIES, PRESENCE_OTHERS,
                PUBLISH_BATCH_MAX, PUBLISH_BATCH_MAX_BYTES);
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
