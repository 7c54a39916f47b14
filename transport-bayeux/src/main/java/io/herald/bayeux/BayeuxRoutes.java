package io.herald.bayeux;

import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The Bayeux transport as one Jetty handler, what {@code herald.handler("bayeux", Handler.class)} returns: the
 * mount path and every path under it; any other path is declined, so an application puts it in front of its
 * own routes. Thread-safe once started.
 */
final class BayeuxRoutes extends PathMappingsHandler {

    BayeuxRoutes(String pathSpec, BayeuxHandler handler) {
        addMapping(PathSpec.from(pathSpec), handler);
    }
}
