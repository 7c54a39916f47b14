package io.herald.bench.load;

/**
 * Where a {@link Scenario} reports what came back. The run knows when each sequence number was scheduled,
 * so a delivery needs only its stream and sequence number. Thread-safe: called from any client thread.
 */
public interface DeliverySink {

    /**
     * Message {@code seq} arrived now on {@code stream}: the receiving connection's index, from 0 to
     * {@link Scenario#deliveriesPerSend()} - 1 (0 for a publish acknowledgement).
     */
    void delivered(int stream, long seq);

    /** Sending {@code seq} failed; {@code reason} says how (status, exception). Its deliveries will not come. */
    void failed(long seq, String reason);
}
