package io.herald.sse;

import io.herald.api.HeraldException;
import io.herald.api.Position;
import io.herald.api.StoreException;
import io.herald.http.ApiKeyGuard;
import io.herald.http.ClientGone;
import io.herald.http.HttpRefusals;
import io.herald.http.JsonResponses;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSE endpoint as a Jetty 12 core handler, mountable at any path of any Jetty server (Herald's own
 * server mounts it at {@code sse.path}, default {@code /sse}).
 *
 * <ul>
 *   <li>{@code GET} with channels: a {@code text/event-stream}, 200 once the channels are authorized, whatever
 *       the resume id says (an unknown id becomes a {@code missedevents} reset, never an error, since an
 *       EventSource gives up for good on any non-200).</li>
 *   <li>{@code GET ?polling}: long polling, see {@link SseConnection}.</li>
 *   <li>{@code GET} with {@code Accept: application/json}: the counters, an admin answer that needs the API key
 *       when one is set (401 otherwise), as {@code /api/stats} does.</li>
 *   <li>{@code OPTIONS}: the CORS preflight a browser may send before resuming.</li>
 * </ul>
 * Refusals are JSON: 400 (bad or too many channels), 401 (bad token), 403 (forbidden channel), 405, 503.
 * Thread-safe.
 */
public final class SseHandler extends SseEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SseHandler.class);

    private final ApiKeyGuard guard;

    @Inject
    public SseHandler(SseTransport transport, ApiKeyGuard guard) {
        super(transport);
        this.guard = guard;
    }

    @Override
    void get(Request request, Response response, Callback callback) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        if (accept != null && accept.contains("application/json") && !accept.contains("text/event-stream")) {
            if (guard.refused(request, response, callback)) {
                return;
            }
            JsonResponses.send(response, callback, 200, transport.stats.toJson());
            return;
        }
        transport.stats.served.increment();
        SseRequest sse = parse(request, response, callback);
        if (sse == null) {
            transport.stats.refused.increment();
            return;
        }
        if (!transport.isRunning()) {
            JsonResponses.error(response, callback, 503, "SSE transport is not running");
            return;
        }
        response.setStatus(200);
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put("X-Accel-Buffering", "no");

        var endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long streamIdle = Math.max(endPoint.getIdleTimeout(), transport.heartbeat.toMillis() * 2 + 5_000);
        if (sse.polling()) {
            streamIdle = Math.max(streamIdle, transport.pollTimeout.toMillis() + transport.pollBatch.toMillis() + 5_000);
        }
        endPoint.setIdleTimeout(streamIdle);

        SseConnection connection = new SseConnection(transport, sse, response, callback, request.getComponents().getExecutor());
        request.addFailureListener(connection::abort);
        connection.watch(ClientGone.watch(request, connection::abort));
        try {
            if (sse.polling() && sse.lastEventId() == null && !sse.durable()) {
                transport.stats.polls.increment();
                connection.answerHeads();
                return;
            }
            if (sse.polling()) {
                transport.stats.polls.increment();
            }
            SseSessions.Opening opening;
            if (sse.durable()) {
                opening = SseSessions.open(transport.sessions, sse);
            } else {
                List<Position> resume = sse.lastEventId() == null ? null : SseEventId.decode(sse.lastEventId(), sse.channels());
                opening = new SseSessions.Opening(transport.sessions.ephemeral(sse.principal()), resume,
                        sse.lastEventId() != null && resume == null);
            }
            connection.open(opening.session(), opening.resume(), opening.unknownId());
            if (sse.polling() && (sse.lastEventId() == null || opening.unknownId())) {
                // Nothing to wait for: a first poll answers with its id, one with a meaningless id with the reset.
                connection.endPoll();
            }
        } catch (HeraldException e) {
            if (e instanceof StoreException) {
                LOG.warn("cannot open a stream for {}: {}", sse.channels(), e.getMessage());
            }
            JsonResponses.error(response, callback, HttpRefusals.status(e.reason()), e.getMessage());
        }
    }
}
