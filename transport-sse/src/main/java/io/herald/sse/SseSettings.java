package io.herald.sse;

import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the SSE transport, and the settings they are read from. {@link #validate()} refuses
 * what cannot work in one line, whether Herald is assembled in code or by the server from flags. Immutable
 * and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param path where streams are served
 * @param cursorPath where the cursor endpoint is served
 * @param heartbeat interval of the keep-alive comment
 * @param retry the {@code retry:} sent to clients
 * @param maxChannels channels one connection may subscribe to
 * @param pollTimeout how long a long poll waits for its first event
 * @param pollBatch how long a long poll waits after its first event
 */
public record SseSettings(Settings source, String path, String cursorPath, Duration heartbeat, Duration retry, int maxChannels,
                          Duration pollTimeout, Duration pollBatch) implements PluginSettings {

    public static final Setting<String> PATH = Setting.string("sse.path", "/sse", "where the SSE endpoint is mounted");
    public static final Setting<String> CURSOR_PATH = Setting.string("sse.cursor-path", null,
            "where the cursor endpoint (the resume id of channels' heads) is mounted; unset: <api.path>/cursor");
    public static final Setting<Duration> HEARTBEAT = Setting.duration("sse.heartbeat", "15s",
            "interval of the keep-alive comment on idle streams");
    public static final Setting<Duration> RETRY = Setting.duration("sse.retry", "2000ms",
            "reconnection delay sent to clients in the retry: field");
    public static final Setting<Integer> MAX_CHANNELS = Setting.integer("sse.max-channels", 100, 1, 10_000,
            "channels one connection may subscribe to");
    public static final Setting<Duration> POLL_TIMEOUT = Setting.duration("sse.poll-timeout", "25s",
            "how long a long-polling request waits for its first event");
    public static final Setting<Duration> POLL_BATCH = Setting.duration("sse.poll-batch", "1s",
            "how long a long-polling request waits after its first event to batch more");

    public static List<Setting<?>> all() {
        return List.of(PATH, CURSOR_PATH, HEARTBEAT, RETRY, MAX_CHANNELS, POLL_TIMEOUT, POLL_BATCH);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static SseSettings from(Settings settings) {
        // The cursor belongs with the rest of the API unless it is placed on its own.
        String cursorPath = settings.get(CURSOR_PATH) != null ? settings.get(CURSOR_PATH)
                : settings.get(io.herald.http.HttpSettings.API_PATH) + "/cursor";
        return new SseSettings(settings, settings.get(PATH), cursorPath, settings.get(HEARTBEAT),
                settings.get(RETRY), settings.get(MAX_CHANNELS), settings.get(POLL_TIMEOUT), settings.get(POLL_BATCH));
    }

    @Override
    public void validate() {
        for (Setting<String> setting : List.of(PATH, CURSOR_PATH)) {
            String value = setting == PATH ? path : cursorPath;
            if (!value.matches("(/[A-Za-z0-9._~-]+)+")) {
                throw source.invalid(setting, "'" + value + "' is not a path like /sse (no trailing slash)");
            }
        }
        if (path.equals(cursorPath)) {
            throw source.invalid(CURSOR_PATH, "'" + cursorPath + "' is also the stream path");
        }
        for (Setting<Duration> setting : List.of(HEARTBEAT, RETRY, POLL_TIMEOUT, POLL_BATCH)) {
            Duration value = source.get(setting);
            if (value.isZero() || value.isNegative()) {
                throw source.invalid(setting, "it must be positive");
            }
        }
    }
}
