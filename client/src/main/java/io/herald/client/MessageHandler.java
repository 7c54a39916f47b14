package io.herald.client;

/**
 * Receives the messages of one subscription, on the client's handler executor (never on an I/O thread), one
 * at a time and in position order per channel. In acknowledged mode a normal return acknowledges the message
 * and an exception leaves it unacknowledged: it comes again, flagged {@link ClientMessage#redelivered()}.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(ClientMessage message) throws Exception;
}
