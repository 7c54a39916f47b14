package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/presence?channel=/a/b}: who is present on a channel, in joining order, as
 * {@code {"channel", "members": [{"clientId", "userId", "info", "joinedAt"}]}}. Thread-safe.
 */
@Singleton
final class PresenceHandler extends JsonHandler {

    private final PresenceStore presence;

    @Inject
    PresenceHandler(PresenceStore presence, ApiKeyGuard guard) {
        super("GET", guard);
        this.presence = presence;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        ChannelName channel = Query.of(request).channel();
        List<Member> members = presence.members(channel);
        send(response, callback, 200, json -> {
            json.writeStartObject();
            json.writeStringField("channel", channel.value());
            json.writeArrayFieldStart("members");
            for (Member member : members) {
                json.writeStartObject();
                json.writeStringField("clientId", member.clientId());
                json.writeStringField("userId", member.userId());
                json.writeObjectFieldStart("info");
                for (Map.Entry<String, String> entry : member.info().entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
                json.writeStringField("joinedAt", member.joinedAt().toString());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }
}
