package io.herald.http;

import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Runs a handler that may block on a thread of the server's pool, and declares itself non-blocking.
 *
 * <p>Why: Jetty 12 takes the invocation type of the whole handler tree from its most demanding handler
 * ({@code Server.getInvocationType()}, cached at start), and the connection's read interest inherits it. One
 * blocking handler anywhere therefore makes every request of every endpoint cross from the selector thread to
 * a pool thread before any handler runs. Wrapping each blocking endpoint in this handler keeps the tree
 * non-blocking: requests are parsed and routed on the selector thread, an endpoint that never waits (the
 * memory-store publish) answers there, and only the endpoints that may wait pay the hand-off to the pool.
 *
 * <p>The wrapped handler runs inside the request's context, as it would have on the thread Jetty dispatched.
 * A handler that declines the request gets a 404 (as Jetty answers when no handler takes it); one that throws
 * fails the callback, which Jetty answers with its error handler. Thread-safe.
 */
public final class PooledHandler extends Handler.Wrapper {

    public PooledHandler(Handler handler) {
        super(handler);
    }

    /** Whether {@code handler} must be wrapped to keep a tree non-blocking. */
    public static boolean needed(Handler handler) {
        return handler.getInvocationType() != InvocationType.NON_BLOCKING;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Handler next = getHandler();
        try {
            request.getComponents().getExecutor().execute(() -> request.getContext().run(() -> {
                try {
                    if (!next.handle(request, response, callback)) {
                        Response.writeError(request, response, callback, 404);
                    }
                } catch (Throwable failure) {
                    callback.failed(failure);
                }
            }, request));
        } catch (RejectedExecutionException e) {
            // The pool is full and its queue too: the server is overloaded, which a client may retry later.
            Response.writeError(request, response, callback, 503, "the server is overloaded; retry shortly");
        }
        return true;
    }
}
