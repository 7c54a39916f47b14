package io.herald.http;

import java.lang.reflect.Field;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an open Jetty WebSocket have its frames read and handled on the selector thread that found them readable,
 * instead of on a thread of the pool. Jetty 12.1's {@code WebSocketConnection} registers its read interest with
 * {@code AbstractConnection}'s callback, which declares itself blocking, so the selector hands every readable
 * socket to a pool thread: a wake-up and a context switch per frame, and under a saturated CPU a pool that grows
 * (to ~150 threads on one core in docs/benchmarks.md, "Bayeux with acks: where the p99 goes"). Jetty has no
 * switch for it (its own {@code AbstractConnection.NonBlocking} is a base class that {@code WebSocketConnection}
 * does not extend), so the connection's read callback, a final field of Jetty's, is replaced by reflection with
 * one that runs the same two methods and declares itself non-blocking; where that is refused the socket keeps
 * reading on the pool, as before.
 *
 * <p>Only for a listener that never waits in what it does on the reading thread: a frame whose handling may wait
 * (a store on the network, application code) goes to {@link #enable}'s executor, with the listener demanding the
 * next frame once that is done (so frames stay in order and a client cannot queue work without bound).
 * Call {@link #enable} from {@code onWebSocketOpen}: Jetty registers the first read interest after it returns.
 * Thread-safe.
 */
public final class SelectorReads {

    private static final Logger LOG = LoggerFactory.getLogger(SelectorReads.class);
    private static final Field FILLABLE = field();

    private SelectorReads() {
    }

    /**
     * Makes the frames of {@code session} read on the selector thread from its next read on.
     *
     * @return the executor (Jetty's pool) for the work of a frame that may wait, or {@code null} when the frames
     *     stay read on the pool (a session that is not Jetty's, or reflection refused)
     */
    public static Executor enable(Session session) {
        if (FILLABLE == null || !(session instanceof WebSocketSession jetty)
                || !(jetty.getCoreSession() instanceof WebSocketCoreSession core) || core.getConnection() == null) {
            return null;
        }
        WebSocketConnection connection = core.getConnection();
        try {
            FILLABLE.set(connection, new NonBlockingRead(connection));
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.debug("WebSocket frames stay read on the pool: {}", e.toString());
            return null;
        }
        return connection.getExecutor();
    }

    /** Whether {@code session}'s frames are read on the selector thread (for tests). */
    public static boolean enabled(Session session) {
        return FILLABLE != null && session instanceof WebSocketSession jetty
                && jetty.getCoreSession() instanceof WebSocketCoreSession core && core.getConnection() != null
                && read(core.getConnection()) instanceof NonBlockingRead;
    }

    private static Object read(WebSocketConnection connection) {
        try {
            return FILLABLE.get(connection);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /** What {@code AbstractConnection}'s own read callback does, declared non-blocking. */
    private record NonBlockingRead(AbstractConnection connection) implements Callback {

        @Override
        public void succeeded() {
            connection.onFillable();
        }

        @Override
        public void failed(Throwable failure) {
            connection.onFillInterestedFailed(failure);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    private static Field field() {
        try {
            Field f = AbstractConnection.class.getDeclaredField("_fillableCallback");
            if (f.getType() != Callback.class) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            LoggerFactory.getLogger(SelectorReads.class).info("Jetty's WebSocket frames will be read on its pool: {}", e.toString());
            return null;
        }
    }
}
