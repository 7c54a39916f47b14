package io.herald.sse;

import io.herald.api.Position;
import io.herald.http.Cors;
import io.herald.http.JsonResponses;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/cursor?channel=a&channel=b}: the SSE resume id of the channels' current heads.
 *
 * <p>An application that renders a page from its own database reads this id first and hands it to the
 * browser, which subscribes with {@code ?lastEventId=<id>}: everything published after the page was
 * rendered arrives, nothing twice (the page-load gap of centrifugo#446 and mercure#704). Answers
 * {@code {"lastEventId": "...", "channels": [...]}}, with the same refusals as the SSE endpoint. Thread-safe.
 */
public final class CursorHandler extends Handler.Abstract {

    private final SseTransport transport;
    private final Cors cors;

    @Inject
    public CursorHandler(SseTransport transport) {
        this.transport = transport;
        this.cors = transport.cors;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (cors.handlePreflight(request, response, callback, "GET, OPTIONS", "authorization")) {
            return true;
        }
        cors.apply(request, response);
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, OPTIONS");
            JsonResponses.error(response, callback, 405, request.getMethod() + " is not allowed here; use GET");
            return true;
        }
        SseRequest sse;
        try {
            sse = SseRequest.parse(request, transport.authenticator, transport.authorizer, transport.maxChannels);
        } catch (SseRefusal refusal) {
            JsonResponses.error(response, callback, refusal.status(), refusal.getMessage());
            return true;
        }
        List<Position> heads = sse.channels().stream().map(transport.engine::head).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lastEventId", SseEventId.encode(heads));
        body.put("channels", sse.channels().stream().map(c -> c.value()).toList());
        JsonResponses.send(response, callback, 200, body);
        return true;
    }
}
