package io.herald.sse;

import io.herald.core.config.Setting;
import java.time.Duration;
import java.util.List;

/** Settings of the SSE transport. */
public final class SseSettings {

    public static final Setting<String> PATH = Setting.string("sse.path", "/sse", "where the SSE endpoint is mounted");
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

    private SseSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(PATH, HEARTBEAT, RETRY, MAX_CHANNELS, POLL_TIMEOUT, POLL_BATCH);
    }
}
