package io.herald.stomp;

import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the STOMP transport. {@link #validate()} refuses what cannot work in one line,
 * whether Herald is assembled in code or by the server from flags. Immutable and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param path where the WebSocket endpoint is served
 * @param limits frame, header count and header line limits
 * @param heartbeat the heart-beat interval the server offers both ways (0 for none)
 * @param prefetch the unacked window of a {@code client}/{@code client-individual} subscription without
 *     {@code prefetch-count}
 * @param tcpPort the plain TCP port, 0 when off
 * @param tcpHost the address the TCP port listens on
 */
public record StompSettings(Settings source, String path, StompLimits limits, Duration heartbeat, int prefetch, int tcpPort,
                            String tcpHost) implements PluginSettings {

    public static final Setting<String> PATH = Setting.string("stomp.path", "/stomp", "where the STOMP WebSocket endpoint is mounted");
    public static final Setting<Long> MAX_FRAME = Setting.size("stomp.max-frame", "4MiB",
            "largest STOMP frame accepted (ERROR and close over it)");
    public static final Setting<Integer> MAX_HEADERS = Setting.integer("stomp.max-headers", 100, 8, 10_000,
            "most headers in one STOMP frame");
    public static final Setting<Long> MAX_HEADER_LENGTH = Setting.size("stomp.max-header-length", "8KiB",
            "longest STOMP command or header line");
    public static final Setting<Duration> HEARTBEAT = Setting.duration("stomp.heartbeat", "10s",
            "heart-beat interval offered to STOMP clients, both ways; 0 for none");
    public static final Setting<Integer> PREFETCH = Setting.integer("stomp.prefetch", 100, 1, 100_000,
            "unacked window of an acknowledged STOMP subscription without prefetch-count");
    public static final Setting<Integer> TCP_PORT = Setting.integer("stomp.tcp-port", 0, 0, 65_535,
            "port for STOMP over plain TCP; 0 for off");
    public static final Setting<String> TCP_HOST = Setting.string("stomp.tcp-host", "0.0.0.0",
            "address the STOMP TCP port listens on");

    public static List<Setting<?>> all() {
        return List.of(PATH, MAX_FRAME, MAX_HEADERS, MAX_HEADER_LENGTH, HEARTBEAT, PREFETCH, TCP_PORT, TCP_HOST);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static StompSettings from(Settings settings) {
        long frame = settings.get(MAX_FRAME);
        long line = settings.get(MAX_HEADER_LENGTH);
        if (frame < 1024 || frame > Integer.MAX_VALUE - 1024) {
            throw settings.invalid(MAX_FRAME, frame + " bytes is not within 1KiB..2GiB");
        }
        if (line < 256 || line > 1024 * 1024) {
            throw settings.invalid(MAX_HEADER_LENGTH, line + " bytes is not within 256 bytes..1MiB");
        }
        // No line can be longer than the frame that holds it.
        int lineLimit = (int) Math.min(line, frame);
        return new StompSettings(settings, settings.get(PATH), new StompLimits((int) frame, settings.get(MAX_HEADERS), lineLimit),
                settings.get(HEARTBEAT), settings.get(PREFETCH), settings.get(TCP_PORT), settings.get(TCP_HOST));
    }

    @Override
    public void validate() {
        if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
            throw source.invalid(PATH, "'" + path + "' is not a path like /stomp (no trailing slash)");
        }
        if (heartbeat.isNegative() || (!heartbeat.isZero() && heartbeat.toMillis() < 100)) {
            throw source.invalid(HEARTBEAT, "it must be 0 (none) or at least 100ms");
        }
    }
}
