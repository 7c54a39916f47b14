package io.herald.server;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.api.AccessDeniedException;
import io.herald.api.AuthenticationException;
import io.herald.api.HeraldException;
import io.herald.api.InvalidChannelException;
import io.herald.api.InvalidPublicationException;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.SessionUnknownException;
import io.herald.api.StoreException;
import io.herald.http.ApiKeyGuard;
import io.herald.http.HttpRefusals;
import io.herald.http.JsonResponses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the server's JSON endpoints: allows one method (405 with {@code Allow} otherwise), applies the
 * {@link ApiKeyGuard} when given one (401 with {@code WWW-Authenticate}), and turns every refusal into a JSON
 * error in one place.
 *
 * <p>Status mapping: {@link ClientError} its own; {@link InvalidChannelException} and
 * {@link InvalidPublicationException} 400,
 * {@link AuthenticationException} 401, {@link AccessDeniedException} 403, {@link SessionUnknownException} 404,
 * {@link PayloadTooLargeException} 413, {@link StoreException} 503; anything else 500. Refusals are logged as one
 * line (4xx at INFO, 404 at DEBUG, 503 at WARN); only a 500, which is a bug, gets a stack trace.
 *
 * <p>Handlers may block on the store, so they declare themselves blocking unless they say otherwise (the HTTP
 * server then runs them on a pool thread); a request body is read without blocking ({@link RequestBodies}). Subclasses are stateless apart from their collaborators and thread-safe.
 */
abstract class JsonHandler extends Handler.Abstract {

    /** Writes one JSON document. */
    @FunctionalInterface
    interface JsonBody {
        void write(JsonGenerator json) throws IOException;
    }

    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String method;
    private final ApiKeyGuard guard;

    /**
     * @param method the one method allowed, or {@code null} for any
     * @param guard the API key check, or {@code null} for an endpoint that is always open
     */
    protected JsonHandler(String method, ApiKeyGuard guard) {
        this(method, guard, InvocationType.BLOCKING);
    }

    /**
     * @param type {@link InvocationType#NON_BLOCKING} only for a handler that never waits (not for a store, a
     *     lock held across I/O, nor a body: it reads with {@link RequestBodies}); the HTTP server then runs it
     *     on the selector thread that parsed the request
     */
    protected JsonHandler(String method, ApiKeyGuard guard, InvocationType type) {
        super(type);
        this.method = method;
        this.guard = guard;
    }

    @Override
    public final boolean handle(Request request, Response response, Callback callback) {
        try {
            if (method != null && !method.equals(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, method);
                throw new ClientError(405, request.getMethod() + " is not allowed on " + path(request) + "; use " + method);
            }
            if (guard != null) {
                ApiKeyGuard.Refusal refusal = guard.check(request);
                if (refusal != null) {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refusal.challenge);
                    throw new ClientError(401, refusal.message);
                }
            }
            serve(request, response, callback);
        } catch (IOException | RuntimeException e) {
            answer(request, response, callback, e);
        }
        return true;
    }

    /**
     * Completes the exchange for what serving threw: a refusal as JSON and one log line, a client that went
     * away or stalled as 408 (or nothing, if the answer has begun), a 500 with a stack trace for a bug. Handlers
     * that finish on another thread (after an asynchronous body read) call it for their failures too.
     */
    protected final void answer(Request request, Response response, Callback callback, Throwable e) {
        if (e instanceof ClientError client) {
            refuse(request, response, callback, client.status(), client.getMessage());
        } else if (e instanceof HeraldException herald) {
            refuse(request, response, callback, statusOf(herald), herald.getMessage());
        } else if (e instanceof HttpException http) {
            refuse(request, response, callback, http.getCode(), e.getMessage() == null ? "bad request" : e.getMessage());
        } else if (e instanceof IOException || e instanceof TimeoutException) {
            // The client stalled or went away while we read its body or wrote our answer: its fault, not ours,
            // so one line and a 408 it may still read (the connection closes with it, the body being unread).
            log.info("{} {} from {}: the client stalled or went away: {}", request.getMethod(), path(request),
                    Request.getRemoteAddr(request), e.toString());
            fail(response, callback, 408, "the request was not received in time or the connection failed", e);
        } else {
            log.error("{} {} failed", request.getMethod(), path(request), e);
            fail(response, callback, 500, "internal server error", e);
        }
    }

    /** Serves an allowed, authorized request; throws {@link ClientError} or a {@link HeraldException} to refuse. */
    protected abstract void serve(Request request, Response response, Callback callback) throws IOException;

    /** Completes the exchange with {@code status} and the JSON that {@code body} writes. */
    protected static void send(Response response, Callback callback, int status, JsonBody body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JsonResponses.MAPPER.getFactory().createGenerator(bytes)) {
            body.write(json);
        }
        send(response, callback, status, ByteBuffer.wrap(bytes.toByteArray()));
    }

    /** Completes the exchange with {@code status} and {@code json}, a JSON document already encoded. */
    protected static void send(Response response, Callback callback, int status, ByteBuffer json) {
        response.setStatus(status);
        // Pre-encoded: the same two headers on every answer need not be encoded again each time.
        response.getHeaders().put(JSON_TYPE);
        response.getHeaders().put(NO_STORE);
        response.write(true, json, callback);
    }

    /** The request's path, for messages. */
    protected static String path(Request request) {
        return request.getHttpURI().getPath();
    }

    static int statusOf(HeraldException e) {
        return HttpRefusals.status(e.reason());
    }

    private void refuse(Request request, Response response, Callback callback, int status, String message) {
        if (status == 404) {
            log.debug("{} {} -> {}: {}", request.getMethod(), path(request), status, message);
        } else if (status >= 500) {
            log.warn("{} {} -> {}: {}", request.getMethod(), path(request), status, message);
        } else {
            log.info("{} {} from {} -> {}: {}", request.getMethod(), path(request), Request.getRemoteAddr(request), status, message);
        }
        if (status == 503 && !response.isCommitted()) {
            // Overload and outages pass; a client told when to come back does not hammer meanwhile.
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        fail(response, callback, status, message, null);
    }

    private static void fail(Response response, Callback callback, int status, String message, Throwable cause) {
        if (response.isCommitted()) {
            callback.failed(cause != null ? cause : new IOException(status + " after the response was committed: " + message));
            return;
        }
        JsonResponses.error(response, callback, status, message);
    }
}
