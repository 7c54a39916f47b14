package io.herald.http;

import io.herald.core.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the HTTP server, of the CORS policy every browser-facing endpoint applies, and of the admin API
 * that several modules contribute to.
 */
public final class HttpSettings {

    public static final Setting<Integer> PORT = Setting.integer("port", 8080, 0, 65535, "HTTP port; 0 picks a free one");
    public static final Setting<String> HOST = Setting.string("host", "0.0.0.0", "address to listen on");
    public static final Setting<List<String>> CORS_ORIGINS = Setting.list("cors.origins", "",
            "origins allowed with credentials, comma-separated; none: Access-Control-Allow-Origin: * without credentials");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("http.idle-timeout", "30s",
            "idle timeout of connections that are not streams");
    public static final Setting<Duration> STOP_TIMEOUT = Setting.duration("http.stop-timeout", "5s",
            "how long a graceful stop waits for requests in flight");

    public static final Setting<Integer> ACCEPT_QUEUE = Setting.integer("http.accept-queue", 1024, 1, 65535,
            "connections the kernel queues before they are accepted (reconnect bursts)");

    /** Read by {@link ApiKeyGuard}, which every module's admin endpoints share. */
    public static final Setting<String> API_KEY = Setting.secret("api.key",
            "bearer key every admin endpoint requires (publish, history, presence, stats, cursor, SSE counters, metrics); "
                    + "unset: they are open to anyone");
    /** Where the admin API is mounted, by the server and by transports that add to it ({@code /cursor}). */
    public static final Setting<String> API_PATH = Setting.string("api.path", "/api",
            "path prefix of the publish, history, presence, stats and cursor API");

    private HttpSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(PORT, HOST, CORS_ORIGINS, IDLE_TIMEOUT, STOP_TIMEOUT, ACCEPT_QUEUE, API_KEY, API_PATH);
    }
}
