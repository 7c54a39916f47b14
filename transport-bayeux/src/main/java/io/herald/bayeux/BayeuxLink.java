package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where a request came from and its answers go: one HTTP exchange (long polling, callback polling), answered
 * exactly once, or a WebSocket, which takes any number of frames. Implementations write without blocking.
 */
interface BayeuxLink {

    /** Writes one response (an HTTP body, a WebSocket frame): the replies, then the deliveries. */
    void send(List<ObjectNode> replies, List<byte[]> deliveries);

    /**
     * Whether the replies to messages sent beside a held {@code /meta/connect} wait for it, so that the whole
     * request gets one response (HTTP); a WebSocket sends them at once.
     */
    boolean oneResponse();

    /** Whether the other side may still read what is sent; a link that is gone gets nothing drained into it. */
    boolean isOpen();

    /** {@code client} holds a connect on this link; the link tells it when it goes away ({@link BayeuxClient#abandon}). */
    default void holding(BayeuxClient client) {
    }

    /**
     * Whether deliveries may be written on this link between two connect replies: a WebSocket, on which Bayeux
     * lets the server send at any time (Faye and CometD take a message array that answers no request).
     */
    default boolean pushes() {
        return false;
    }

    /**
     * Writes {@code deliveries} as one response of their own, outside any reply; {@code written} runs once the
     * frame left or failed (the client's flow control: one push in flight at a time). Only on a link that
     * {@link #pushes()}.
     */
    default void push(List<byte[]> deliveries, Runnable written) {
        throw new UnsupportedOperationException(type() + " cannot push");
    }

    /**
     * The most bytes of deliveries one response or push on this link carries: what the stock clients take by
     * default. CometD's Java client reads at most 1 MiB per HTTP response and 64 KiB per WebSocket text message
     * (the Jakarta container's default); past that it drops the response or the link, and without acknowledgements
     * loses what it held. More queued than this waits for the next response, which the client asks for at once;
     * one delivery larger than this still goes, alone.
     */
    default int maxDeliveryBytes() {
        return 512 * 1024;
    }

    /** The connection type to report in statistics and logs: {@code long-polling}, {@code websocket}, ... */
    String type();
}
