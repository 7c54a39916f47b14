package io.herald.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.eclipse.jetty.util.Callback;

/**
 * The one writer of a long-lived response (an SSE stream): {@link #process()} runs on one thread at a time,
 * again whenever {@link #iterate()} was called meanwhile, and again each time the write it started
 * completes; the same contract as Jetty's {@code IteratingCallback}, which this replaces on the fan-out path.
 *
 * <p>Why not {@code IteratingCallback}: it takes a lock and stores its state (an enum) several times per
 * wake-up, so every delivery stores references (the lock's owner thread, the state constant) into each
 * connection's long-lived objects. In G1 each such store dirties a card that the refinement thread scans
 * later, a cost per connection and message (issue 14: a quarter of the server core at 10,000 streams x 5
 * msg/s). Here the whole state is one {@code int}, changed by compare-and-set; only a failure stores a
 * reference.
 *
 * <p>Completion: once {@code process()} returns {@link Action#SUCCEEDED}, {@link #onCompleteSuccess()} runs.
 * A failed write, an exception from {@code process()} or {@link #abort} end it with
 * {@link #onCompleteFailure}, once: an abort while a write is in flight waits for that write's callback, and
 * one while {@code process()} runs waits for it to return (so that completion never overlaps a write).
 *
 * <p>Thread-safe.
 */
public abstract class WriteLoop implements Callback {

    /** What {@link #process()} did. */
    public enum Action {
        /** Nothing to write now: wait for the next {@link #iterate()}. */
        IDLE,
        /** A write was started with this loop as its callback. */
        SCHEDULED,
        /** The response is complete. */
        SUCCEEDED
    }

    private static final int IDLE = 0;
    /** {@code process()} runs. */
    private static final int PROCESSING = 1;
    /** {@code process()} runs, and {@link #iterate()} was called meanwhile: process again. */
    private static final int PROCESSING_AGAIN = 2;
    /** {@code process()} runs, and the write it started has already completed: process again. */
    private static final int CALLED = 3;
    /** A write is in flight; its callback processes again. */
    private static final int PENDING = 4;
    /** Aborted while {@code process()} runs: fail once it returns and any write it started has completed. */
    private static final int ABORTED_PROCESSING = 5;
    /** Aborted while {@code process()} runs, whose write has completed already: fail once it returns. */
    private static final int ABORTED_CALLED = 6;
    /** Aborted while a write is in flight: fail when it calls back. */
    private static final int ABORTED_PENDING = 7;
    /** Completed, successfully or not. */
    private static final int DONE = 8;

    private static final VarHandle STATE;
    private static final VarHandle FAILURE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(WriteLoop.class, "state", int.class);
            FAILURE = lookup.findVarHandle(WriteLoop.class, "failure", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state = IDLE;
    /** The first failure or abort cause; set before the state says aborted. */
    @SuppressWarnings("unused") // through FAILURE
    private volatile Throwable failure;

    /** Builds and starts the next write, or says there is none. Runs on one thread at a time. */
    protected abstract Action process() throws Throwable;

    /** The response is complete (after {@link Action#SUCCEEDED}). */
    protected abstract void onCompleteSuccess();

    /** The response failed or was aborted; called once. */
    protected abstract void onCompleteFailure(Throwable cause);

    /** Processes now on this thread, unless another thread processes or a write is in flight (then it does later). */
    public final void iterate() {
        while (true) {
            int s = state;
            if (s == IDLE) {
                if (STATE.compareAndSet(this, IDLE, PROCESSING)) {
                    processing();
                    return;
                }
            } else if (s == PROCESSING) {
                if (STATE.compareAndSet(this, PROCESSING, PROCESSING_AGAIN)) {
                    return;
                }
            } else {
                // Processing again anyway (PROCESSING_AGAIN, CALLED), the write's callback will (PENDING), or over.
                return;
            }
        }
    }

    /** The write started by {@code process()} completed. */
    @Override
    public final void succeeded() {
        while (true) {
            int s = state;
            int next;
            switch (s) {
                case PENDING -> next = PROCESSING;
                // Completed before process() returned: it processes again when it does.
                case PROCESSING, PROCESSING_AGAIN -> next = CALLED;
                case ABORTED_PROCESSING -> next = ABORTED_CALLED;
                case ABORTED_PENDING -> next = DONE;
                default -> {
                    return;
                }
            }
            if (STATE.compareAndSet(this, s, next)) {
                if (next == PROCESSING) {
                    processing();
                } else if (next == DONE) {
                    onCompleteFailure(failure);
                }
                return;
            }
        }
    }

    /** The write started by {@code process()} failed: the response fails once {@code process()} is not running. */
    @Override
    public final void failed(Throwable cause) {
        FAILURE.compareAndSet(this, null, cause);
        while (true) {
            int s = state;
            int next;
            switch (s) {
                // The write is over: nothing is in flight any more.
                case IDLE, PENDING, ABORTED_PENDING -> next = DONE;
                case PROCESSING, PROCESSING_AGAIN, CALLED, ABORTED_PROCESSING -> next = ABORTED_CALLED;
                default -> {
                    return;
                }
            }
            if (STATE.compareAndSet(this, s, next)) {
                if (next == DONE) {
                    onCompleteFailure(failure);
                }
                return;
            }
        }
    }

    /** Ends the response with {@code cause}: at once, or when the running {@code process()} or write is over. */
    public final void abort(Throwable cause) {
        FAILURE.compareAndSet(this, null, cause);
        while (true) {
            int s = state;
            int next;
            switch (s) {
                case IDLE -> next = DONE;
                case PROCESSING, PROCESSING_AGAIN -> next = ABORTED_PROCESSING;
                case CALLED -> next = ABORTED_CALLED;
                case PENDING -> next = ABORTED_PENDING;
                default -> {
                    return;
                }
            }
            if (STATE.compareAndSet(this, s, next)) {
                if (next == DONE) {
                    onCompleteFailure(failure);
                }
                return;
            }
        }
    }

    /**
     * Whether {@link #abort} or a failed write ended this loop: for a {@code process()} that goes on writing on
     * its own (writes that completed at once, without their callback) and must stop at an abort.
     */
    protected final boolean aborted() {
        int s = state;
        return s == ABORTED_PROCESSING || s == ABORTED_CALLED || s == ABORTED_PENDING || s == DONE;
    }

    /** Whether the loop has completed, successfully or not. */
    public final boolean isDone() {
        return state == DONE;
    }

    private void processing() {
        while (true) {
            Action action;
            try {
                action = process();
            } catch (Throwable x) {
                FAILURE.compareAndSet(this, null, x);
                if ((int) STATE.getAndSet(this, DONE) != DONE) {
                    onCompleteFailure(failure);
                }
                return;
            }
            if (!processAgain(action)) {
                return;
            }
        }
    }

    /** Moves the state on after {@code process()} returned {@code action}; true to process again. */
    private boolean processAgain(Action action) {
        while (true) {
            int s = state;
            int next;
            if (s == ABORTED_PROCESSING) {
                // A write it started is still in flight: its callback completes the failure.
                next = action == Action.SCHEDULED ? ABORTED_PENDING : DONE;
            } else if (s == ABORTED_CALLED) {
                next = DONE;
            } else if (action == Action.SUCCEEDED) {
                next = DONE;
            } else if (action == Action.SCHEDULED) {
                next = s == CALLED ? PROCESSING : PENDING;
            } else {
                next = s == PROCESSING ? IDLE : PROCESSING;
            }
            if (STATE.compareAndSet(this, s, next)) {
                if (next == DONE) {
                    if (s == ABORTED_PROCESSING || s == ABORTED_CALLED) {
                        onCompleteFailure(failure);
                    } else {
                        onCompleteSuccess();
                    }
                }
                return next == PROCESSING;
            }
        }
    }
}
