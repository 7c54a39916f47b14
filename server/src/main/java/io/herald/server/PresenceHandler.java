package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.api.PresenceStore.OnlineUser;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/presence?channel=/a/b}: who is online on a channel, one entry per user in the order they
 * came online, as {@code {"channel", "members": [{"user", "connections", "since", "info"}]}} — the info of
 * the user's earliest live connection; a user whose last connection went within the grace period is listed
 * with 0 connections. Filled by the {@code presence} extension; read from the store, so any node answers.
 * Access: {@link PresenceAccess}. Thread-safe.
 */
@Singleton
final class PresenceHandler extends JsonHandler {

    private final PresenceStore presence;
    private final PresenceAccess access;

    @Inject
    PresenceHandler(PresenceStore presence, PresenceAccess access) {
        super("GET", null);
        this.presence = presence;
        this.access = access;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        Query query = Query.of(request);
        ChannelName channel = query.channel();
        access.reader(request, response, query, channel);
        List<OnlineUser> users = presence.users(channel);
        Map<String, Map<String, String>> info = new HashMap<>();
        for (Member member : presence.members(channel)) {
            info.putIfAbsent(member.userId(), member.info());
        }
        send(response, callback, 200, json -> {
            json.writeStartObject();
            json.writeStringField("channel", channel.value());
            json.writeArrayFieldStart("members");
            for (OnlineUser user : users) {
                json.writeStartObject();
                json.writeStringField("user", user.userId());
                json.writeNumberField("connections", user.connections());
                json.writeStringField("since", user.since().toString());
                json.writeObjectFieldStart("info");
                for (Map.Entry<String, String> entry : info.getOrDefault(user.userId(), Map.of()).entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }
}
