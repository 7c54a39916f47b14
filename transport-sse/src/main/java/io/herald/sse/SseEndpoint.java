package io.herald.sse;

import io.herald.http.JsonResponses;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the SSE endpoints share: the CORS policy on every answer (a browser whose CORS check fails closes an
 * EventSource for good), preflights, GET only, and the parsing of channels, token and resume id with its
 * JSON refusals. Thread-safe.
 */
abstract class SseEndpoint extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(SseEndpoint.class);

    final SseTransport transport;

    SseEndpoint(SseTransport transport) {
        this.transport = transport;
    }

    @Override
    public final boolean handle(Request request, Response response, Callback callback) {
        if (transport.cors.handlePreflight(request, response, callback, "GET, OPTIONS", "authorization")) {
            return true;
        }
        transport.cors.apply(request, response);
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, OPTIONS");
            JsonResponses.error(response, callback, 405, request.getMethod() + " is not allowed here; use GET");
            return true;
        }
        get(request, response, callback);
        return true;
    }

    /** Serves a GET; CORS headers are already on the response. */
    abstract void get(Request request, Response response, Callback callback);

    /** The request's channels, principal and resume id; {@code null} once a refusal has been answered. */
    SseRequest parse(Request request, Response response, Callback callback) {
        try {
            return SseRequest.parse(request, transport.authenticator, transport.engine, transport.maxChannels);
        } catch (SseRefusal refusal) {
            LOG.debug("refused {}: {}", request.getHttpURI().getPathQuery(), refusal.getMessage());
            JsonResponses.error(response, callback, refusal.status(), refusal.getMessage());
            return null;
        }
    }
}
