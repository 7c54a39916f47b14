package io.herald.server;

import io.herald.api.Lifecycle;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads request bodies into memory without holding a thread while their bytes are awaited, so that clients
 * sending slowly cannot occupy the request threads that {@code /health} and every other endpoint need.
 *
 * <p>What a slow or hostile client can hold is bounded three ways: at most {@code http.max-pending-bodies}
 * bodies are being awaited at once (503 with {@code Retry-After} beyond that, answered at once; a body that is
 * there whole when the handler asks for it is read at once and holds nothing); each must
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
        read(request, cap, first -> cap, body, failed);
    }

    /**
     * As {@link #read(Request, int, Consumer, Consumer)}, for a body whose cap depends on what it is: at most
     * {@code maxCap} bytes until its first byte other than JSON whitespace arrives, then at most what
     * {@code capOf} answers for that byte (at most {@code maxCap}), e.g. less for an object than for an array.
     */
    void read(Request request, int maxCap, IntUnaryOperator capOf, Consumer<byte[]> body, Consumer<Throwable> failed) {
        if (stopping) {
            failed.accept(stopped());
            return;
        }
        long declared = request.getLength();
        if (declared > maxCap + DISCARD_LIMIT) {
            failed.accept(tooLarge(declared + " bytes", maxCap));
            return;
        }
        new Reading(request, maxCap, capOf, declared, body, failed).run();
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

    /**
     * One body being received: a read loop over the request's content, settled exactly once. A body that is
     * there whole when the handler runs (the common case: a small body arrives with its headers) is read at
     * once and costs no permit, no timer and no registration; only one that must be waited for registers,
     * then demands more bytes without holding a thread.
     */
    private final class Reading implements Runnable {

        private final Request request;
        private final IntUnaryOperator capOf;
        private final long declared;
        private final Consumer<byte[]> body;
        private final Consumer<Throwable> failed;
        private final AtomicBoolean settled = new AtomicBoolean();
        private byte[] bytes;
        private int seen;
        /** The cap in force: the largest until the body's first significant byte says which applies. */
        private int cap;
        private boolean capKnown;
        /** Whether this reading holds a permit, a timer and its place in {@link #active}; only {@link #run} sets it. */
        private volatile boolean waiting;
        private volatile Scheduler.Task timer;

        Reading(Request request, int cap, IntUnaryOperator capOf, long declared, Consumer<byte[]> body, Consumer<Throwable> failed) {
            this.request = request;
            this.cap = cap;
            this.capOf = capOf;
            this.declared = declared;
            this.body = body;
            this.failed = failed;
            this.bytes = new byte[declared >= 0 && declared <= cap ? (int) declared : Math.min(cap, 1024)];
        }

        @Override
        public void run() {
            while (!settled.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    if (!waiting && !startWaiting()) {
                        return;
                    }
                    // Nothing yet: come back when bytes arrive, on a pool thread, holding none meanwhile.
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(chunk.getFailure());
                    return;
                }
                int size = chunk.remaining();
                long total = (long) seen + size;
                if (total <= cap && declared <= cap) {
                    if (total > bytes.length) {
                        bytes = Arrays.copyOf(bytes, (int) Math.min(cap, Math.max(total, 2L * bytes.length)));
                    }
                    chunk.get(bytes, seen, size);
                    if (!capKnown) {
                        narrowCap(seen, (int) total);
                    }
                }
                seen = (int) Math.min(Integer.MAX_VALUE, total);
                chunk.release();
                if (total > cap && declared <= cap) {
                    // Chunked, or longer than declared: stop reading at once.
                    fail(tooLarge("more than " + cap + " bytes", cap));
                    return;
                }
                if (chunk.isLast()) {
                    if (total > cap) {
                        fail(tooLarge(declared + " bytes", cap));
                    } else if (settle()) {
                        body.accept(seen == bytes.length ? bytes : Arrays.copyOf(bytes, seen));
                    }
                    return;
                }
            }
        }

        /** Applies the cap for the body's first byte other than JSON whitespace, if it is among bytes[from, to). */
        private void narrowCap(int from, int to) {
            for (int i = from; i < to; i++) {
                byte b = bytes[i];
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    capKnown = true;
                    cap = Math.min(cap, capOf.applyAsInt(b & 0xff));
                    return;
                }
            }
        }

        /**
         * Takes a permit, registers for the server's stop and starts the deadline, before the first wait for
         * bytes; refuses with 503 when {@code http.max-pending-bodies} bodies are already awaited.
         *
         * @return whether to wait for the body
         */
        private boolean startWaiting() {
            if (!pending.tryAcquire()) {
                if (settled.compareAndSet(false, true)) {
                    failed.accept(new ClientError(503, "too many request bodies are being received (" + maxPending + "); retry shortly"));
                }
                return false;
            }
            waiting = true;
            active.add(this);
            timer = request.getComponents().getScheduler().schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
            if (stopping) {
                // stop() may have looked at the active readings before this one joined them.
                fail(stopped());
                return false;
            }
            return true;
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
            if (waiting) {
                Scheduler.Task t = timer;
                if (t != null) {
                    t.cancel();
                }
                active.remove(this);
                pending.release();
            }
            return true;
        }
    }
}
