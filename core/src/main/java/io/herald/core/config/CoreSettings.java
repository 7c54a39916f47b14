package io.herald.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The settings of the engine and of assembly (which plugins are selected). A plugin's own settings
 * ({@code redis.*}, {@code sse.*}, ...) are declared by the plugin, beside the code that reads them.
 */
public final class CoreSettings {

    public static final Setting<String> STORE = Setting.string("store", "memory",
            "store plugin: memory, redis or jdbc");
    public static final Setting<String> BROKER = Setting.string("broker", null,
            "broker plugin: memory, redis, postgres or rabbitmq; unset: the store's own (memory, redis)");
    public static final Setting<List<String>> TRANSPORTS = Setting.list("transports", "sse,stomp,bayeux",
            "transport plugins to mount, comma-separated (sse, stomp, bayeux)");
    public static final Setting<List<String>> EXTENSIONS = Setting.list("extensions", "",
            "extension plugins to add, comma-separated (presence)");
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
    public static final Setting<String> TOKEN_SECRET = Setting.secret("token.secret",
            "HMAC secret for client tokens; unset: subscriptions need no token");

    private CoreSettings() {
    }

    /** All of the above. */
    public static List<Setting<?>> all() {
        return List.of(STORE, BROKER, TRANSPORTS, EXTENSIONS, HISTORY_SIZE, HISTORY_MAX_AGE, SESSION_TTL, PUBLISH_MAX_PAYLOAD,
                SUBSCRIBER_QUEUE, FEED_IDLE, TOKEN_SECRET);
    }
}
