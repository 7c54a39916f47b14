package io.herald.stomp;

import org.eclipse.jetty.util.Callback;

/**
 * The link a {@link StompConnection} speaks over: a WebSocket (one frame per WebSocket message) or a plain
 * TCP connection (frames back to back). Implementations are thread-safe; {@link #send} is called by one
 * writer at a time and never again before its callback completes.
 */
interface StompSocket {

    /**
     * Writes the frames of {@code batch}, in order, in one write where the link allows; {@code callback}
     * completes once they are written (possibly before this returns). The batch may be reused once this returns.
     */
    void send(StompBatch batch, Callback callback);

    /** Closes the link after what was sent; the peer sees a normal close. */
    void close();

    /** The peer's address, for the authenticator and logs. */
    String remoteAddress();

    /** A bearer token given when the link was opened ({@code ?token=} or {@code Authorization}), or {@code null}. */
    String token();
}
