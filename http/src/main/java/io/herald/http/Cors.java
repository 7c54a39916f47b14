package io.herald.http;

import io.herald.core.config.Settings;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The CORS policy of browser-facing endpoints (SSE, Bayeux), applied to every response, reconnects included,
 * because a browser whose CORS check fails closes an {@code EventSource} for good.
 *
 * <p>With no origins configured: {@code Access-Control-Allow-Origin: *} without credentials. With a list:
 * the request's exact {@code Origin} is echoed with {@code Access-Control-Allow-Credentials: true} and
 * {@code Vary: Origin}, for listed origins only. Preflights ({@code OPTIONS}) allow {@code last-event-id}
 * and whatever extra headers the endpoint names. Immutable and thread-safe.
 */
public final class Cors {

    private final Set<String> origins;

    public Cors(List<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    public static Cors from(Settings settings) {
        return new Cors(settings.get(HttpSettings.CORS_ORIGINS));
    }

    /** Adds the CORS headers {@code request} deserves to {@code response}. */
    public void apply(Request request, Response response) {
        var headers = response.getHeaders();
        if (origins.isEmpty()) {
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            return;
        }
        headers.add(HttpHeader.VARY, "Origin");
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && origins.contains(origin)) {
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }

    /**
     * Answers a preflight, if {@code request} is one: 204 with the allowed methods and headers.
     *
     * @param allowHeaders headers to allow besides {@code last-event-id}, comma-separated, or {@code null}
     * @return whether the request was a preflight and has been answered
     */
    public boolean handlePreflight(Request request, Response response, Callback callback, String methods, String allowHeaders) {
        if (!HttpMethod.OPTIONS.is(request.getMethod())) {
            return false;
        }
        apply(request, response);
        var headers = response.getHeaders();
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, methods);
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS,
                allowHeaders == null ? "last-event-id" : "last-event-id, " + allowHeaders);
        headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
        response.setStatus(204);
        callback.succeeded();
        return true;
    }
}
