package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/presence/time?channel=/a/b&user=alice}: a user's accumulated online time on a channel (every
 * finished session, plus the current one), as {@code {"channel", "user", "seconds", "millis"}}; without
 * {@code user}, every user ever online there: {@code {"channel", "users": [{"user", "seconds", "millis"}]}}.
 * {@code seconds} is whole seconds, {@code millis} the exact figure. A token holder reads its own time
 * ({@code user} defaults to its user); see {@link PresenceAccess}. Thread-safe.
 */
@Singleton
final class PresenceTimeHandler extends JsonHandler {

    private static final int MAX_USER_LENGTH = 1024;

    private final PresenceStore presence;
    private final PresenceAccess access;
    private final Clock clock;

    @Inject
    PresenceTimeHandler(PresenceStore presence, PresenceAccess access, Clock clock) {
        super("GET", null);
        this.presence = presence;
        this.access = access;
        this.clock = clock;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        Query query = Query.of(request);
        ChannelName channel = query.channel();
        String user = query.optional("user");
        if (user != null && (user.isEmpty() || user.length() > MAX_USER_LENGTH)) {
            throw ClientError.badRequest("parameter 'user' must be 1.." + MAX_USER_LENGTH + " characters, got " + user.length());
        }
        Principal reader = access.reader(request, response, query, channel);
        if (user == null && reader != Principal.SERVER) {
            user = reader.name();
        }
        access.checkTime(reader, channel, user);
        Instant now = clock.instant();
        if (user != null) {
            String who = user;
            Duration time = presence.onlineTime(channel, who, now);
            send(response, callback, 200, json -> {
                json.writeStartObject();
                json.writeStringField("channel", channel.value());
                json.writeStringField("user", who);
                json.writeNumberField("seconds", time.toSeconds());
                json.writeNumberField("millis", time.toMillis());
                json.writeEndObject();
            });
            return;
        }
        Map<String, Duration> times = presence.onlineTimes(channel, now);
        send(response, callback, 200, json -> {
            json.writeStartObject();
            json.writeStringField("channel", channel.value());
            json.writeArrayFieldStart("users");
            for (Map.Entry<String, Duration> entry : times.entrySet()) {
                json.writeStartObject();
                json.writeStringField("user", entry.getKey());
                json.writeNumberField("seconds", entry.getValue().toSeconds());
                json.writeNumberField("millis", entry.getValue().toMillis());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }
}
