package io.herald.server;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.api.AccessDeniedException;
import io.herald.api.AuthenticationException;
import io.herald.api.HeraldException;
import io.herald.api.InvalidChannelException;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.SessionUnknownException;
import io.herald.api.StoreException;
import io.herald.http.JsonResponses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
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
 * <p>Status mapping: {@link ClientError} its own; {@link InvalidChannelException} 400,
 * {@link AuthenticationException} 401, {@link AccessDeniedException} 403, {@link SessionUnknownException} 404,
 * {@link PayloadTooLargeException} 413, {@link StoreException} 503; anything else 500. Refusals are logged as one
 * line (4xx at INFO, 404 at DEBUG, 503 at WARN); only a 500, which is a bug, gets a stack trace.
 *
 * <p>Handlers block while reading a request body, so they declare themselves blocking. Subclasses are
 * stateless apart from their collaborators and thread-safe.
 */
abstract class JsonHandler extends Handler.Abstract {

    /** Writes one JSON document. */
    @FunctionalInterface
    interface JsonBody {
        void write(JsonGenerator json) throws IOException;
    }

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String method;
    private final ApiKeyGuard guard;

    /**
     * @param method the one method allowed, or {@code null} for any
     * @param guard the API key check, or {@code null} for an endpoint that is always open
     */
    protected JsonHandler(String method, ApiKeyGuard guard) {
        super(InvocationType.BLOCKING);
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
            failed(request, response, callback, e);
        }
        return true;
    }

    /**
     * Answers a request that failed with {@code failure}, as thrown by {@link #serve} or by the work it started
     * (the asynchronous publish): a refusal as its status, a vanished client with nothing, anything else 500.
     */
    protected final void failed(Request request, Response response, Callback callback, Throwable failure) {
        if (failure instanceof ClientError e) {
            refuse(request, response, callback, e.status(), e.getMessage());
        } else if (failure instanceof HeraldException e) {
            refuse(request, response, callback, statusOf(e), e.getMessage());
        } else if (failure instanceof IOException e) {
            // The client went away while we read its body or wrote our answer: nothing to answer.
            log.debug("{} {}: {}", request.getMethod(), path(request), e.toString());
            callback.failed(e);
        } else if (failure instanceof HttpException http) {
            refuse(request, response, callback, http.getCode(), failure.getMessage() == null ? "bad request" : failure.getMessage());
        } else {
            log.error("{} {} failed", request.getMethod(), path(request), failure);
            fail(response, callback, 500, "internal server error", failure);
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
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes.toByteArray()), callback);
    }

    /** The request's path, for messages. */
    protected static String path(Request request) {
        return request.getHttpURI().getPath();
    }

    static int statusOf(HeraldException e) {
        if (e instanceof InvalidChannelException) {
            return 400;
        } else if (e instanceof AuthenticationException) {
            return 401;
        } else if (e instanceof AccessDeniedException) {
            return 403;
        } else if (e instanceof SessionUnknownException) {
            return 404;
        } else if (e instanceof PayloadTooLargeException) {
            return 413;
        } else if (e instanceof StoreException) {
            return 503;
        }
        return 500;
    }

    private void refuse(Request request, Response response, Callback callback, int status, String message) {
        if (status == 404) {
            log.debug("{} {} -> {}: {}", request.getMethod(), path(request), status, message);
        } else if (status >= 500) {
            log.warn("{} {} -> {}: {}", request.getMethod(), path(request), status, message);
        } else {
            log.info("{} {} from {} -> {}: {}", request.getMethod(), path(request), Request.getRemoteAddr(request), status, message);
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
