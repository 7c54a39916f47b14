package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A STOMP 1.2 client for the server's tests on the JDK's WebSocket, speaking raw frames: enough to connect,
 * subscribe, ack and read MESSAGE frames, so that a test sees exactly what the server wrote. Frames are read
 * from one thread.
 */
final class StompSocket implements WebSocket.Listener, AutoCloseable {

    /** A received frame: its command, headers (first occurrence wins, as STOMP says) and body. */
    record Frame(String command, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Frames read while waiting for a receipt, handed out first. */
    private final java.util.Deque<Frame> stashed = new java.util.ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    /** Opens {@code ws://<node>/stomp} and sends CONNECT; returns once CONNECTED arrived. */
    static StompSocket connect(URI node) throws Exception {
        StompSocket stomp = new StompSocket();
        URI uri = URI.create("ws://" + node.getAuthority() + "/stomp");
        stomp.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp")
                .buildAsync(uri, stomp).get(10, TimeUnit.SECONDS);
        stomp.send("CONNECT", "accept-version", "1.2", "host", "/", "heart-beat", "0,0");
        stomp.next("CONNECTED");
        return stomp;
    }

    /** Sends a frame with no body, headers given as name, value, name, value... */
    void send(String command, String... headers) {
        StringBuilder frame = new StringBuilder(command).append('\n');
        for (int i = 0; i < headers.length; i += 2) {
            frame.append(headers[i]).append(':').append(headers[i + 1]).append('\n');
        }
        frame.append('\n').append('\0');
        socket.sendText(frame, true).join();
    }

    /**
     * Waits for the RECEIPT of {@code receipt}; frames that come first (messages a subscription delivers
     * before its receipt) are kept, in order, for {@link #next}.
     */
    void awaitReceipt(String receipt) throws InterruptedException {
        while (true) {
            Frame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(frame).as("RECEIPT %s within %s", receipt, WAIT).isNotNull();
            if (frame.command().equals("RECEIPT") && receipt.equals(frame.header("receipt-id"))) {
                return;
            }
            stashed.add(frame);
        }
    }

    /** The next frame, required to be a {@code command}. */
    Frame next(String command) throws InterruptedException {
        Frame frame = stashed.isEmpty() ? frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS) : stashed.poll();
        assertThat(frame).as("a %s frame within %s", command, WAIT).isNotNull();
        assertThat(frame.command()).as("the frame %s", frame).isEqualTo(command);
        return frame;
    }

    /** The next frame if one comes within {@code wait}, else {@code null}. */
    Frame poll(Duration wait) throws InterruptedException {
        return stashed.isEmpty() ? frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS) : stashed.poll();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            int end;
            while ((end = partial.indexOf("\0")) >= 0) {
                String text = partial.substring(0, end);
                partial.delete(0, end + 1);
                while (text.startsWith("\n") || text.startsWith("\r")) {
                    text = text.substring(1); // heart-beats and EOLs between frames
                }
                if (!text.isEmpty()) {
                    frames.add(parse(text));
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    private static Frame parse(String text) {
        int bodyAt = text.indexOf("\n\n");
        String head = bodyAt < 0 ? text : text.substring(0, bodyAt);
        String body = bodyAt < 0 ? "" : text.substring(bodyAt + 2);
        String[] lines = head.split("\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
        }
        return new Frame(lines[0], headers, body);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
