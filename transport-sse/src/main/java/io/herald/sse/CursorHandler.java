package io.herald.sse;

import io.herald.api.Position;
import io.herald.http.JsonResponses;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/cursor?channel=a&channel=b} (at {@code sse.cursor-path}): the SSE resume id of the
 * channels' current heads.
 *
 * <p>An application that renders a page from its own database reads this id first and hands it to the
 * browser, which subscribes with {@code ?lastEventId=<id>}: everything published after the page was
 * rendered arrives, nothing twice (the page-load gap of centrifugo#446 and mercure#704). Answers
 * {@code {"lastEventId": "...", "channels": [...]}}, with the same refusals as the SSE endpoint. Thread-safe.
 */
public final class CursorHandler extends SseEndpoint {

    @Inject
    public CursorHandler(SseTransport transport) {
        super(transport);
    }

    @Override
    void get(Request request, Response response, Callback callback) {
        SseRequest sse = parse(request, response, callback);
        if (sse == null) {
            return;
        }
        List<Position> heads = sse.channels().stream().map(transport.engine::head).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lastEventId", SseEventId.encode(heads));
        body.put("channels", sse.channels().stream().map(c -> c.value()).toList());
        JsonResponses.send(response, callback, 200, body);
    }
}
