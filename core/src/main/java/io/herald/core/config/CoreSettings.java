package io.herald.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The settings of the engine and the well-known settings of the server contract (DESIGN.md), declared once
 * so that every flag in the contract parses even when the plugin that reads it is not on the class path.
 */
public final class CoreSettings {

    public static final Setting<String> STORE = Setting.string("store", "memory",
            "store plugin: memory, redis or jdbc");
    public static final Setting<List<String>> TRANSPORTS = Setting.list("transports", "sse",
            "transport plugins to mount, comma-separated (sse, stomp, bayeux)");
    public static final Setting<Integer> HISTORY_SIZE = Setting.integer("history.size", 100, 1, 10_000_000,
            "messages kept per channel");
    public static final Setting<Duration> HISTORY_MAX_AGE = Setting.duration("history.max-age", "0",
            "age after which history messages are dropped; 0 for none");
    public static final Setting<Duration> SESSION_TTL = Setting.duration("session.ttl", "300s",
            "how long a disconnected client's session survives");
    public static final Setting<Long> PUBLISH_MAX_PAYLOAD = Setting.size("publish.max-payload", "64KiB",
            "largest accepted message payload");
    public static final Setting<Integer> SUBSCRIBER_QUEUE = Setting.integer("subscriber.queue", 1024, 16, 1_000_000,
            "messages queued per connection before a slow consumer is cut off");
    public static final Setting<Duration> FEED_IDLE = Setting.duration("engine.feed-idle", "30s",
            "how long a channel seen only through wildcard subscriptions keeps its feed after its last message");
    public static final Setting<Duration> PRESENCE_TTL = Setting.duration("presence.ttl", "60s",
            "how long a member stays present without a heartbeat");
    public static final Setting<String> TOKEN_SECRET = Setting.secret("token.secret",
            "HMAC secret for client tokens; unset: subscriptions need no token");
    public static final Setting<String> REDIS_URL = Setting.string("redis.url", "redis://127.0.0.1:6379",
            "Redis URL, redis://[:password@]host:port/db or rediss:// for TLS");
    public static final Setting<String> JDBC_URL = Setting.string("jdbc.url", "jdbc:h2:file:./data/herald",
            "JDBC URL of the jdbc store");
    public static final Setting<String> JDBC_USER = Setting.string("jdbc.user", null, "JDBC user");
    public static final Setting<String> JDBC_PASSWORD = Setting.secret("jdbc.password", "JDBC password");

    private CoreSettings() {
    }

    /** All of the above. */
    public static List<Setting<?>> all() {
        return List.of(STORE, TRANSPORTS, HISTORY_SIZE, HISTORY_MAX_AGE, SESSION_TTL, PUBLISH_MAX_PAYLOAD,
                SUBSCRIBER_QUEUE, FEED_IDLE, PRESENCE_TTL, TOKEN_SECRET, REDIS_URL, JDBC_URL, JDBC_USER, JDBC_PASSWORD);
    }
}
