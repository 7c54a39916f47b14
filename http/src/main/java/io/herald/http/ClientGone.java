package io.herald.http;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices at once when the client of a long-lived HTTP/1 response (an SSE stream, a held poll) closes or
 * resets its connection, instead of at the next failed write or the idle timeout, so that its subscriptions
 * and memory are freed promptly. Only for requests without a body that Herald has fully read.
 *
 * <p>The watch reads the connection while the response is held. A response that ends the exchange calls
 * {@link Watch#stopBefore} (or {@link Watch#stop()}) before its last write: when the client sent nothing meanwhile (it waits for the answer,
 * as every polling client does), the watch lets go of the connection and it carries the client's next request
 * (keep-alive); only when the client did send something, which the watch has read and dropped, must the
 * response close the connection.
 */
public final class ClientGone {

    /** Fails the watch's read interest when it stops; never reported as the client going away. */
    private static final Throwable STOPPED = new EofException("watch stopped") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private ClientGone() {
    }

    /** A watch on one connection. Thread-safe. */
    public static final class Watch implements Callback {
        private final EndPoint endPoint;
        private final Consumer<Throwable> onGone;
        // stop() and drain() hold the watch's lock: a readiness event without data can run a drain while
        // the response is being answered, and stop() must see what that read found, not a read in progress.
        private volatile boolean stopped;
        private volatile boolean consumed;
        private volatile boolean gone;

        private Watch(EndPoint endPoint, Consumer<Throwable> onGone) {
            this.endPoint = endPoint;
            this.onGone = onGone;
        }

        /**
         * Stops watching. Call it before writing a response that ends the exchange.
         *
         * @return whether the connection can carry another request: nothing was read from it and the read
         *     interest was given back; {@code false} means the response must close the connection
         */
        public synchronized boolean stop() {
            stopped = true;
            release();
            return !consumed && !gone && !endPoint.isFillInterested();
        }

        /**
         * Stops the watch before the exchange's last write to {@code response} and, when the watch read from the
         * connection (what it read is lost), makes sure the connection carries nothing more: {@code Connection:
         * close} while the headers are not sent.
         *
         * @return whether the caller must close the connection itself after the last write: the watch read from
         *     it and the headers were already sent
         */
        public boolean stopBefore(Response response) {
            if (stop()) {
                return false;
            }
            if (!response.isCommitted()) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                return false;
            }
            return true;
        }

        private void release() {
            if (endPoint instanceof AbstractEndPoint abstractEndPoint && abstractEndPoint.getFillInterest().isInterested()) {
                // Only the watch is read-interested while a response is held: failing the interest removes it.
                abstractEndPoint.getFillInterest().onFail(STOPPED);
            }
        }

        @Override
        public void succeeded() {
            Throwable cause = drain();
            if (cause != null) {
                gone(cause); // outside the lock: onGone may take locks of its own that a stop() caller holds
            }
        }

        /** Reads and drops what the client sent; the reason it is gone, or {@code null} while it is there. */
        private synchronized Throwable drain() {
            if (stopped) {
                return null; // readable again after the answer: the connection's next request, not the watch's
            }
            ByteBuffer buffer = BufferUtil.allocate(64);
            try {
                while (true) {
                    int read = endPoint.fill(buffer);
                    if (read < 0) {
                        return new EofException("the client closed the connection");
                    }
                    if (read == 0) {
                        endPoint.tryFillInterested(this);
                        return null;
                    }
                    consumed = true;
                    BufferUtil.clear(buffer);
                }
            } catch (Exception e) {
                return e;
            }
        }

        @Override
        public void failed(Throwable cause) {
            if (cause != STOPPED && !stopped) {
                gone(cause);
            }
        }

        private void gone(Throwable cause) {
            if (gone) {
                return;
            }
            gone = true;
            onGone.accept(cause);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    /**
     * Calls {@code onGone} once, when the other side of {@code request}'s connection closes or fails, until the
     * returned watch is stopped; {@code null} for HTTP/2 and 3, whose streams report resets through the
     * request's failure listeners already.
     */
    public static Watch watch(Request request, Consumer<Throwable> onGone) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return null;
        }
        return watch(request.getConnectionMetaData().getConnection().getEndPoint(), onGone);
    }

    static Watch watch(EndPoint endPoint, Consumer<Throwable> onGone) {
        Watch watch = new Watch(endPoint, onGone);
        endPoint.tryFillInterested(watch);
        return watch;
    }
}
