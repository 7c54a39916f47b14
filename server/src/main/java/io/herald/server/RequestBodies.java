package io.herald.server;

import io.herald.api.Lifecycle;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads request bodies into memory without holding a thread while their bytes are awaited, so that clients
 * sending slowly cannot occupy the request threads that {@code /health} and every other endpoint need.
 *
 * <p>What a slow or hostile client can hold is bounded three ways: at most {@code http.max-pending-bodies}
 * bodies are being received at once (503 with {@code Retry-After} beyond that, answered at once); each must
 * arrive whole within {@code http.body-timeout} (408 otherwise, however steadily it trickles); and each is
 * capped (413, without reading on). When the server stops, bodies still arriving are answered 503 at once
 * (the client retries elsewhere) rather than holding up the graceful stop. Thread-safe.
 */
@Singleton
final class RequestBodies implements Lifecycle {

    /** A declared body at most this much over the cap is read and dropped, so its sender reads the 413. */
    private static final long DISCARD_LIMIT = 1024 * 1024;

    private final Semaphore pending;
    private final int maxPending;
    private final long timeoutMillis;
    private final Set<Reading> active = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    @Inject
    RequestBodies(Settings settings) {
        this.maxPending = settings.get(ServerSettings.MAX_PENDING_BODIES);
        this.pending = new Semaphore(maxPending);
        this.timeoutMillis = settings.get(ServerSettings.BODY_TIMEOUT).toMillis();
    }

    /**
     * Reads the whole body of {@code request}, at most {@code cap} bytes, then calls {@code body} with it, or
     * {@code failed} with a {@link ClientError} (413, 408, 503) or the read's own failure (the client went
     * away). Exactly one of them is called, on a thread of the server's pool, possibly before this returns.
     */
    void read(Request request, int cap, Consumer<byte[]> body, Consumer<Throwable> failed) {
        if (stopping) {
            failed.accept(stopped());
            return;
        }
        if (!pending.tryAcquire()) {
            failed.accept(new ClientError(503, "too many request bodies are being received (" + maxPending + "); retry shortly"));
            return;
        }
        long declared = request.getLength();
        Reading reading = new Reading(request, cap, declared, body, failed);
        active.add(reading);
        Scheduler.Task timer = request.getComponents().getScheduler().schedule(reading::expire, timeoutMillis, TimeUnit.MILLISECONDS);
        reading.timer = timer;
        if (declared > cap + DISCARD_LIMIT) {
            reading.fail(tooLarge(declared + " bytes", cap));
            return;
        }
        reading.run();
    }

    /** Stops before the HTTP server, so that its graceful stop does not wait for bodies that may never come. */
    @Override
    public int phase() {
        return TRANSPORT + 60;
    }

    @Override
    public void stop() {
        stopping = true;
        for (Reading reading : active) {
            reading.fail(stopped());
        }
    }

    private static ClientError stopped() {
        return new ClientError(503, "the server is stopping; send the request again (to another node)");
    }

    /** Bodies being received now. */
    int pending() {
        return maxPending - pending.availablePermits();
    }

    private static ClientError tooLarge(String size, int cap) {
        return new ClientError(413, "request body of " + size + " exceeds the limit of " + cap + " bytes");
    }

    /** One body being received: a demand loop over the request's content, settled exactly once. */
    private final class Reading implements Runnable {

        private final Request request;
        private final int cap;
        private final long declared;
        private final Consumer<byte[]> body;
        private final Consumer<Throwable> failed;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        private final AtomicBoolean settled = new AtomicBoolean();
        private long seen;
        volatile Scheduler.Task timer;

        Reading(Request request, int cap, long declared, Consumer<byte[]> body, Consumer<Throwable> failed) {
            this.request = request;
            this.cap = cap;
            this.declared = declared;
            this.body = body;
            this.failed = failed;
        }

        @Override
        public void run() {
            while (!settled.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    // Nothing yet: come back when bytes arrive, on a pool thread, holding none meanwhile.
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(chunk.getFailure());
                    return;
                }
                int size = chunk.remaining();
                seen += size;
                if (declared <= cap && seen <= cap) {
                    byte[] copy = new byte[size];
                    chunk.get(copy, 0, size);
                    bytes.write(copy, 0, size);
                }
                chunk.release();
                if (seen > cap && declared <= cap) {
                    // Chunked, or longer than declared: stop reading at once.
                    fail(tooLarge("more than " + cap + " bytes", cap));
                    return;
                }
                if (chunk.isLast()) {
                    if (seen > cap) {
                        fail(tooLarge(declared + " bytes", cap));
                    } else if (settle()) {
                        body.accept(bytes.toByteArray());
                    }
                    return;
                }
            }
        }

        void expire() {
            fail(new ClientError(408, "request body not received within " + timeoutMillis + " ms (" + seen + " of "
                    + (declared < 0 ? "?" : Long.toString(declared)) + " bytes)"));
        }

        void fail(Throwable failure) {
            if (settle()) {
                failed.accept(failure instanceof TimeoutException ? new ClientError(408, "request body stalled past the idle timeout") : failure);
            }
        }

        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            Scheduler.Task t = timer;
            if (t != null) {
                t.cancel();
            }
            active.remove(this);
            pending.release();
            return true;
        }
    }
}
