package io.herald.stomp;

import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The STOMP endpoint as one Jetty handler for an application's own server, what
 * {@code herald.handler("stomp", Handler.class)} returns: the WebSocket endpoint at {@code stomp.path}, matched
 * against the path in context; any other path is declined, so an application puts it in front of its own
 * routes, e.g. {@code new Handler.Sequence(herald.handler("stomp", Handler.class), appRoutes)}. Thread-safe
 * once started.
 */
final class StompRoutes extends PathMappingsHandler {

    StompRoutes(StompSettings settings, StompWebSocketHandler endpoint) {
        addMapping(PathSpec.from(settings.path()), endpoint);
    }
}
