package io.herald.server;

import jakarta.inject.Singleton;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Mounted at {@code /}, below every other path: a JSON 404 for any path nothing else serves. Thread-safe. */
@Singleton
final class NotFoundHandler extends JsonHandler {

    NotFoundHandler() {
        super(null, null, InvocationType.NON_BLOCKING);
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) {
        throw new ClientError(404, "nothing is served at " + path(request));
    }
}
