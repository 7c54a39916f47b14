package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Bayeux client's WebSocket for tests (the JDK's client): every text frame it receives is queued as a JSON
 * array. A socket opened {@code reading = false} takes one frame and then stops reading, so the server's
 * writes back up in TCP as they would towards a stalled client.
 */
final class BayeuxTestSocket implements WebSocket.Listener {

    final BlockingQueue<ArrayNode> frames = new LinkedBlockingQueue<>();
    /** The length in characters of each frame in {@link #frames}, in the same order. */
    final BlockingQueue<Integer> lengths = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** The payload of each pong received, as text. */
    final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    final WebSocket ws;
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();

    BayeuxTestSocket(URI uri) throws Exception {
        this(uri, true);
    }

    BayeuxTestSocket(URI uri, boolean reading) throws Exception {
        this.reading = reading;
        ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                lengths.add(partial.length());
                frames.add((ArrayNode) BayeuxTestClient.JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        if (reading || !last) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, java.nio.ByteBuffer message) {
        pongs.add(java.nio.charset.StandardCharsets.UTF_8.decode(message).toString());
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    /** Sends one frame and returns the next frame received. */
    ArrayNode send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        return next();
    }

    ArrayNode next() throws InterruptedException {
        ArrayNode frame = frames.poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("a frame within 10 s").isNotNull();
        return frame;
    }
}
