package io.herald.http;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error page of Herald's HTTP server, for every error Jetty answers itself (bad {@code %}-escapes,
 * bad chunks, 414, 431, ambiguous URIs, 503 while stopping, an exception a handler let through): the same
 * JSON as every endpoint's refusals, {@code {"error": "...", "status": 400}}, for every method. The message
 * is Jetty's when it is a plain description; a message that names an exception or a class, and every 5xx,
 * gets the status's reason phrase instead, so no answer tells a client about the server's internals.
 * Thread-safe.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);
    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    /**
     * A client that went away (a handler failed its exchange with an {@link EofException}, or the channel was
     * closed under it) is not a server error: nothing is written to the dead connection, no 500 is counted or
     * logged above debug; the exchange is aborted.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (clientGone(cause)) {
            LOG.debug("{} {}: the client went away: {}", request.getMethod(), request.getHttpURI().getPath(), cause.toString());
            callback.failed(cause);
            return true;
        }
        return super.handle(request, response, callback);
    }

    static boolean clientGone(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException || t instanceof ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        if (code >= 500 && cause != null) {
            LOG.warn("{} {} -> {}: {}", request.getMethod(), request.getHttpURI().getPath(), code, cause.toString());
        }
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    /** The answer to a request Jetty could not even parse (431, 414, a bad request line): no handler ran. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON);
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int status, String message) {
        String text = describe(status, message);
        StringBuilder json = new StringBuilder(text.length() + 32).append("{\"error\":\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(' ');
            } else {
                json.append(c);
            }
        }
        return json.append("\",\"status\":").append(status).append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Jetty's message when it only describes the request, else the reason phrase of {@code status}. */
    static String describe(int status, String message) {
        String reason = HttpStatus.getMessage(status);
        if (status >= 500 || message == null || message.isBlank() || message.length() > 200
                || message.contains("Exception") || message.contains("java.") || message.contains("org.")) {
            return reason;
        }
        return message;
    }
}
