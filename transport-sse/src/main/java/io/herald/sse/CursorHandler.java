package io.herald.sse;

import io.herald.api.HeraldException;
import io.herald.api.Position;
import io.herald.api.StoreException;
import io.herald.http.ApiKeyGuard;
import io.herald.http.HttpRefusals;
import io.herald.http.JsonResponses;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET <api.path>/cursor?channel=a&channel=b} (or at {@code sse.cursor-path}): the SSE resume id of the
 * channels' current heads.
 *
 * <p>An application that renders a page from its own database reads this id first and hands it to the
 * browser, which subscribes with {@code ?lastEventId=<id>}: everything published after the page was
 * rendered arrives, nothing twice (the page-load gap of centrifugo#446 and mercure#704). Answers
 * {@code {"lastEventId": "...", "channels": [...]}}, with the same refusals as the SSE endpoint. It is an admin
 * endpoint, called by the application's backend: with an API key it needs the key (401 otherwise). A store
 * that cannot be read answers 503. Thread-safe.
 */
public final class CursorHandler extends SseEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CursorHandler.class);

    private final ApiKeyGuard guard;

    @Inject
    public CursorHandler(SseTransport transport, ApiKeyGuard guard) {
        super(transport);
        this.guard = guard;
    }

    @Override
    void get(Request request, Response response, Callback callback) {
        if (guard.refused(request, response, callback)) {
            return;
        }
        SseRequest sse = parse(request, response, callback);
        if (sse == null) {
            return;
        }
        List<Position> heads;
        try {
            heads = sse.channels().stream().map(transport.engine::head).toList();
        } catch (StoreException e) {
            LOG.warn("cannot read the cursor of {}: {}", sse.channels(), e.getMessage());
            JsonResponses.error(response, callback, 503, "cannot read the heads of " + sse.channels() + ": store unavailable");
            return;
        } catch (HeraldException e) {
            JsonResponses.error(response, callback, HttpRefusals.status(e.reason()), e.getMessage());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lastEventId", SseEventId.encode(heads));
        body.put("channels", sse.channels().stream().map(c -> c.value()).toList());
        JsonResponses.send(response, callback, 200, body);
    }
}
