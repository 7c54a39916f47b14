package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bayeux over one WebSocket: one JSON array per text frame each way. Sends are chained, since a WebSocket
 * takes one outgoing message at a time. Thread-safe.
 */
final class WebSocketLink implements Link, WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Listener listener;
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile boolean closed;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    private WebSocketLink(Listener listener) {
        this.listener = listener;
    }

    /** Opens a WebSocket to {@code uri} (http(s) is turned into ws(s)). */
    static CompletableFuture<Link> open(HttpClient client, URI uri, Duration timeout, Listener listener) {
        WebSocketLink link = new WebSocketLink(listener);
        String scheme = "https".equals(uri.getScheme()) ? "wss" : "ws";
        URI ws = URI.create(scheme + uri.toString().substring(uri.getScheme().length()));
        return client.newWebSocketBuilder().connectTimeout(timeout).buildAsync(ws, link).thenApply(s -> {
            link.socket = s;
            return link;
        });
    }

    @Override
    public String connectionType() {
        return "websocket";
    }

    @Override
    public synchronized void send(ArrayNode messages, long timeoutMillis) {
        WebSocket s = socket;
        if (s == null || closed) {
            listener.failed(this, new IOException("the WebSocket is closed"));
            return;
        }
        String text = messages.toString();
        sending = sending.thenCompose(v -> s.sendText(text, true)).whenComplete((v, e) -> {
            if (e != null) {
                fail(e);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        WebSocket s = socket;
        if (s != null) {
            s.abort();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            if (!closed) {
                try {
                    JsonNode messages = JSON.readTree(text);
                    listener.received(this, messages);
                } catch (IOException e) {
                    fail(new IOException("the server sent a frame that is not JSON: " + e.getMessage(), e));
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        fail(new IOException("the WebSocket closed: " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        fail(error);
    }

    private void fail(Throwable cause) {
        if (!closed) {
            closed = true;
            WebSocket s = socket;
            if (s != null) {
                s.abort();
            }
            listener.failed(this, cause);
        }
    }
}
