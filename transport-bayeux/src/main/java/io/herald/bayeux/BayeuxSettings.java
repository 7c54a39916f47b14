package io.herald.bayeux;

import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the Bayeux transport. Immutable and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param path where Bayeux is served; every sub-path too, since CometD appends {@code /connect} and friends
 * @param timeout how long a {@code /meta/connect} is held when nothing is queued (advice {@code timeout})
 * @param interval the pause a client makes between connects (advice {@code interval})
 * @param maxInterval how long a client may stay without a connect before this node lets go of its link;
 *     its session still lives for the session TTL
 * @param maxBody the largest request body, in bytes
 * @param maxBatch the most messages one request may carry
 * @param ackWindow unacked messages per channel of a client using the acknowledgement extension
 * @param websocket whether WebSocket upgrades are served (and {@code websocket} advertised)
 * @param websocketPush whether deliveries are pushed on the WebSocket of a client that acknowledges nothing,
 *     rather than waiting for its next connect
 */
public record BayeuxSettings(Settings source, String path, Duration timeout, Duration interval, Duration maxInterval,
                             long maxBody, int maxBatch, int ackWindow, boolean websocket, boolean websocketPush) implements PluginSettings {

    public static final Setting<String> PATH = Setting.string("bayeux.path", "/bayeux",
            "where the Bayeux endpoint is mounted (every sub-path is routed to it)");
    public static final Setting<Duration> TIMEOUT = Setting.duration("bayeux.timeout", "30s",
            "how long a /meta/connect is held when nothing is queued (advice timeout)");
    public static final Setting<Duration> INTERVAL = Setting.duration("bayeux.interval", "0ms",
            "the pause a client makes between two /meta/connect (advice interval)");
    public static final Setting<Duration> MAX_INTERVAL = Setting.duration("bayeux.max-interval", "10s",
            "how long a client may go without a /meta/connect before this node releases its link (the session lives on for session.ttl)");
    public static final Setting<Long> MAX_BODY = Setting.size("bayeux.max-body", "1MiB",
            "the largest request body or WebSocket frame");
    public static final Setting<Integer> MAX_BATCH = Setting.integer("bayeux.max-batch", 1000, 1, 100_000,
            "the most messages one request or frame may carry");

    public static final Setting<Integer> ACK_WINDOW = Setting.integer("bayeux.ack-window", 1000, 1, 1_000_000,
            "unacked messages per channel of a client using the acknowledgement extension; delivery pauses when full");
    public static final Setting<Boolean> WEBSOCKET = Setting.bool("bayeux.websocket", true,
            "serve the websocket connection type on the Bayeux path");
    public static final Setting<Boolean> WEBSOCKET_PUSH = Setting.bool("bayeux.websocket-push", true,
            "push deliveries on the WebSocket of a client that acknowledges nothing as they arrive (false: only in /meta/connect replies)");

    public static List<Setting<?>> all() {
        return List.of(PATH, TIMEOUT, INTERVAL, MAX_INTERVAL, MAX_BODY, MAX_BATCH, ACK_WINDOW, WEBSOCKET, WEBSOCKET_PUSH);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static BayeuxSettings from(Settings settings) {
        return new BayeuxSettings(settings, settings.get(PATH), settings.get(TIMEOUT), settings.get(INTERVAL),
                settings.get(MAX_INTERVAL), settings.get(MAX_BODY), settings.get(MAX_BATCH),
                settings.get(ACK_WINDOW), settings.get(WEBSOCKET), settings.get(WEBSOCKET_PUSH));
    }

    @Override
    public void validate() {
        if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
            throw source.invalid(PATH, "'" + path + "' is not a path like /bayeux (no trailing slash)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw source.invalid(TIMEOUT, "it must be positive");
        }
        if (interval.isNegative()) {
            throw source.invalid(INTERVAL, "it cannot be negative");
        }
        if (maxInterval.isNegative() || maxInterval.isZero()) {
            throw source.invalid(MAX_INTERVAL, "it must be positive");
        }
        if (maxBody < 1024 || maxBody > Integer.MAX_VALUE) {
            throw source.invalid(MAX_BODY, "it must lie between 1KiB and 2GiB");
        }
    }
}
