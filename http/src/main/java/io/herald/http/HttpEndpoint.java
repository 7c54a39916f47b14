package io.herald.http;

import java.util.Objects;
import org.eclipse.jetty.server.Handler;

/**
 * A Jetty handler to mount at a path of Herald's HTTP server. Transports and the server contribute theirs
 * with {@code Multibinder.newSetBinder(binder(), HttpEndpoint.class)}; the handler can equally be mounted by
 * hand into any Jetty 12 server.
 *
 * @param path a Jetty path spec: {@code /sse} (exact), {@code /api/*} (prefix)
 * @param handler what serves it; receives the full request path
 */
public record HttpEndpoint(String path, Handler handler) {

    public HttpEndpoint {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("endpoint path must start with '/': " + path);
        }
    }
}
