package io.herald.core;

/**
 * How a connection's subscription acknowledges what it receives (G4).
 *
 * <ul>
 *   <li>{@link #AUTO}: a message counts as delivered once written; nothing is redelivered.</li>
 *   <li>{@link #CUMULATIVE}: an ack covers every earlier unacked message of the subscription too (STOMP
 *       {@code client}, Bayeux ack batches).</li>
 *   <li>{@link #INDIVIDUAL}: an ack covers exactly one message (STOMP {@code client-individual}).</li>
 * </ul>
 * In the two acknowledged modes at most {@code window} messages are unacked at once: when the window is full
 * delivery pauses, the backlog stays in history, and it resumes as acks arrive. What was not acked when a
 * connection drops is delivered again, flagged as redelivered, to the session's next connection.
 */
public enum AckMode {
    AUTO, CUMULATIVE, INDIVIDUAL;

    public boolean acknowledged() {
        return this != AUTO;
    }
}
