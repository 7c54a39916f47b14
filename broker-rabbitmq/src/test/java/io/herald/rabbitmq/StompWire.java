package io.herald.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal STOMP 1.2 client over the JDK's WebSocket, for tests: sends frames, hands back each frame received
 * (command, headers, body as text). Headers here never need escaping (plain ids, names and numbers).
 */
final class StompWire implements AutoCloseable {

    /** A received frame. */
    record Frame(String command, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final WebSocket socket;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final StringBuilder pending = new StringBuilder();

    private StompWire(URI uri) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp")
                .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Connects and logs in; asserts CONNECTED. */
    static StompWire connected(URI uri) throws Exception {
        StompWire wire = new StompWire(uri);
        wire.send("CONNECT", Map.of("accept-version", "1.2", "heart-beat", "0,0", "login", "guest", "passcode", "guest"), "");
        Frame connected = wire.next();
        assertThat(connected.command()).as("%s", connected).isEqualTo("CONNECTED");
        return wire;
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    void send(String command, Map<String, String> headers, String body) {
        StringBuilder frame = new StringBuilder(command).append('\n');
        headers.forEach((k, v) -> frame.append(k).append(':').append(v).append('\n'));
        frame.append('\n').append(body).append('\0');
        socket.sendText(frame, true).join();
    }

    /** Sends a frame with a receipt and waits for the RECEIPT; fails on anything else (an ERROR). */
    void sendAndAwaitReceipt(String command, Map<String, String> headers, String body) throws InterruptedException {
        String receipt = "r-" + System.nanoTime();
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("receipt", receipt);
        send(command, h, body);
        Frame answer = next();
        assertThat(answer.command()).as("answer to %s %s: %s", command, headers, answer).isEqualTo("RECEIPT");
        assertThat(answer.header("receipt-id")).isEqualTo(receipt);
    }

    /** The next frame; fails after 20 s. */
    Frame next() throws InterruptedException {
        Frame f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(f).as("a frame within %s", WAIT).isNotNull();
        return f;
    }

    /** The next frame within {@code wait}, or {@code null}. */
    Frame poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops the connection without DISCONNECT, as a client that goes away does. */
    void drop() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            received(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            received(StandardCharsets.UTF_8.decode(data).toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private synchronized void received(String text) {
        pending.append(text);
        int end;
        while ((end = pending.indexOf("\0")) >= 0) {
            String raw = pending.substring(0, end);
            pending.delete(0, end + 1);
            int start = 0;
            while (start < raw.length() && (raw.charAt(start) == '\n' || raw.charAt(start) == '\r')) {
                start++; // heart-beats and EOLs between frames
            }
            if (start < raw.length()) {
                frames.add(parse(raw.substring(start)));
            }
        }
        // What remains may be only heart-beat EOLs: keep them out of the next frame's command.
        while (pending.length() > 0 && pending.charAt(0) == '\n') {
            pending.deleteCharAt(0);
        }
    }

    private static Frame parse(String raw) {
        int blank = raw.indexOf("\n\n");
        String head = blank >= 0 ? raw.substring(0, blank) : raw;
        String body = blank >= 0 ? raw.substring(blank + 2) : "";
        String[] lines = head.split("\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
            }
        }
        return new Frame(lines[0], headers, body);
    }
}
