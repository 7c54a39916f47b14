package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Bayeux over one WebSocket, on Jetty's WebSocket client: one JSON array per text frame each way. Jetty's frame
 * flusher queues sends in call order, and {@link #send} is synchronized, so arrays leave in the order the protocol
 * thread sent them. A close frame, a read or write failure, or the TCP connection ending without a close frame
 * (Jetty reports it as {@code onWebSocketError}/{@code onWebSocketClose} 1006) fails the link at once.
 * Thread-safe.
 */
final class WebSocketLink implements Link {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Link.Listener listener;
    private final Frames frames = new Frames();
    private volatile Session session;
    private volatile boolean closed;

    private WebSocketLink(Link.Listener listener) {
        this.listener = listener;
    }

    /** Opens a WebSocket to {@code uri} (http(s) is turned into ws(s)); fails on a refused upgrade. */
    static CompletableFuture<Link> open(WebSocketClient client, URI uri, Duration timeout, Link.Listener listener) {
        WebSocketLink link = new WebSocketLink(listener);
        String scheme = "https".equals(uri.getScheme()) ? "wss" : "ws";
        URI ws = URI.create(scheme + uri.toString().substring(uri.getScheme().length()));
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            return client.connect(link.frames, ws, request).thenApply(s -> {
                link.session = s;
                return (Link) link;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String connectionType() {
        return "websocket";
    }

    @Override
    public synchronized void send(ArrayNode messages, long timeoutMillis) {
        Session s = session;
        if (s == null || closed || !s.isOpen()) {
            listener.failed(this, new IOException("the WebSocket is closed"));
            return;
        }
        s.sendText(messages.toString(), Callback.from(() -> { }, this::fail));
    }

    @Override
    public void close() {
        closed = true;
        Session s = session;
        if (s != null) {
            s.disconnect(); // no close handshake: the server keeps the session (stop() leaves it alive)
        }
    }

    private void fail(Throwable cause) {
        if (!closed) {
            closed = true;
            Session s = session;
            if (s != null) {
                s.disconnect();
            }
            listener.failed(this, cause);
        }
    }

    /**
     * Jetty's listener for this link. Public because Jetty reaches listener methods by reflection (a listener
     * it cannot reach never sees a frame: the upgrade completes and the Bayeux handshake reply never comes).
     * Auto-demanding: Jetty reads the next frame once the previous callback returned.
     */
    public final class Frames implements Session.Listener.AutoDemanding {

        @Override
        public void onWebSocketText(String text) {
            if (closed) {
                return;
            }
            JsonNode messages;
            try {
                messages = JSON.readTree(text);
            } catch (IOException e) {
                fail(new IOException("the server sent a frame that is not JSON: " + e.getMessage(), e));
                return;
            }
            listener.received(WebSocketLink.this, messages);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            fail(new IOException("the WebSocket closed: " + statusCode + (reason == null ? "" : " " + reason)));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            fail(cause);
        }
    }

    /** Whether a failed upgrade means the server does not speak WebSocket there (so long polling is tried). */
    static boolean refused(Throwable cause) {
        return cause instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
    }
}
