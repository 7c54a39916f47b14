package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * One network link to the Bayeux endpoint: a WebSocket, or long polling over HTTP. A link carries JSON arrays
 * of Bayeux messages; what comes back (replies, deliveries) goes to its {@link Listener}. A link that failed is
 * never used again: the client opens a new one. Thread-safe.
 */
interface Link {

    /** The Bayeux connection type, {@code websocket} or {@code long-polling}. */
    String connectionType();

    /** Sends {@code messages} as one array; the answers arrive at the listener. */
    void send(ArrayNode messages, long timeoutMillis);

    /** Closes the link; the listener hears nothing more from it. */
    void close();

    /** Receives what a link brings, on a Jetty I/O thread. */
    interface Listener {
        /** Messages arrived; {@code sent} is the array they answer (long polling), or null (WebSocket). */
        void received(Link link, JsonNode messages);

        /** The link is gone. */
        void failed(Link link, Throwable cause);
    }
}
