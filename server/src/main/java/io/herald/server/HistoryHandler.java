package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.core.Engine;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/history?channel=/a/b&after=<offset>&limit=N[&epoch=<epoch>]}: a channel's retained
 * messages, oldest first.
 *
 * <p>Without {@code after} and {@code epoch}: from the oldest retained message. {@code after} is an offset of
 * the current epoch unless {@code epoch} names another (which then yields a reset gap); {@code epoch} alone
 * means from that epoch's start. {@code limit} is 1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}.
 * Answers {@code {"channel", "epoch", "head", "complete", "messages": [...], "gap": null | {...}}}; when
 * {@code complete} is false, ask again with {@code after} set to the last offset returned. Thread-safe.
 */
@Singleton
final class HistoryHandler extends JsonHandler {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Engine engine;

    @Inject
    HistoryHandler(Engine engine, ApiKeyGuard guard) {
        super("GET", guard);
        this.engine = engine;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        Query query = Query.of(request);
        ChannelName channel = query.channel();
        Long after = query.number("after", 0, Long.MAX_VALUE);
        Long requestedLimit = query.number("limit", 1, MAX_LIMIT);
        int limit = requestedLimit == null ? DEFAULT_LIMIT : requestedLimit.intValue();
        String epoch = query.optional("epoch");
        if (epoch != null && !Position.isValidEpoch(epoch)) {
            throw ClientError.badRequest("parameter 'epoch' must be 1 to 16 of A-Z a-z 0-9, not '" + epoch + "'");
        }
        Position from = null;
        if (after != null || epoch != null) {
            from = new Position(epoch != null ? epoch : engine.head(channel).epoch(), after == null ? 0 : after);
        }
        Replay replay = engine.history(channel, from, limit);
        send(response, callback, 200, json -> {
            json.writeStartObject();
            json.writeStringField("channel", channel.value());
            json.writeStringField("epoch", replay.head().epoch());
            json.writeNumberField("head", replay.head().offset());
            json.writeBooleanField("complete", replay.complete());
            json.writeArrayFieldStart("messages");
            for (Message message : replay.messages()) {
                Json.message(json, message);
            }
            json.writeEndArray();
            Json.gap(json, "gap", replay.gap());
            json.writeEndObject();
        });
    }
}
