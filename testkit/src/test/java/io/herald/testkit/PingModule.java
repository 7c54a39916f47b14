package io.herald.testkit;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.http.HttpEndpoint;
import io.herald.http.JsonResponses;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A tiny endpoint for the extension's tests: {@code GET /ping} answers 200 {@code pong} and is remembered. */
final class PingModule extends AbstractModule {

    /** The paths of the requests that reached the handler, across every server of the test run. */
    static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HttpEndpoint.class).addBinding().toInstance(new HttpEndpoint("/ping", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // Not Request.getPathInContext: under HeraldHttpServer (no ContextHandler) it throws in Jetty 12.1.
                REQUESTS.add(request.getHttpURI().getPath());
                response.setStatus(200);
                response.write(true, JsonResponses.utf8("pong"), callback);
                return true;
            }
        }));
    }
}
