package io.herald.sse;

import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The SSE transport as one Jetty handler, what {@code herald.handler("sse", Handler.class)} returns: streams
 * at {@code sse.path}, the cursor endpoint at {@code sse.cursor-path}, matched against the path in context;
 * any other path is declined ({@code handle} returns {@code false}), so an application puts it in front of
 * its own routes, e.g. {@code new Handler.Sequence(herald.handler("sse", Handler.class), appRoutes)}.
 * Thread-safe once started.
 */
final class SseRoutes extends PathMappingsHandler {

    SseRoutes(SseSettings settings, SseHandler streams, CursorHandler cursors) {
        addMapping(PathSpec.from(settings.path()), streams);
        addMapping(PathSpec.from(settings.cursorPath()), cursors);
    }
}
