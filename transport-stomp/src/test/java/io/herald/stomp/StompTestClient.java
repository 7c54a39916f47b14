package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A raw STOMP-over-WebSocket client for tests, on Jetty's WebSocket client: sends frames (or any bytes) as
 * text or binary messages and decodes what comes back with the production decoder, recording which
 * messages were text and which binary, heart-beats, and the close.
 */
final class StompTestClient implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final WebSocketClient client = new WebSocketClient();
    final BlockingQueue<StompFrame> frames = new LinkedBlockingQueue<>();
    private final java.util.Deque<StompFrame> pushback = new java.util.concurrent.ConcurrentLinkedDeque<>();
    final BlockingQueue<Boolean> messageKinds = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    volatile int heartbeats;
    volatile int closeCode;
    private final StompFrameDecoder decoder = new StompFrameDecoder(StompLimits.DEFAULT);
    private final Session session;
    private StompVersion version = StompVersion.V1_2;

    StompTestClient(URI uri, String... subprotocols) throws Exception {
        this(uri, List.of(), subprotocols);
    }

    /** Offers the WebSocket {@code extensions} (such as {@code permessage-deflate}) too. */
    StompTestClient(URI uri, List<String> extensions, String... subprotocols) throws Exception {
        client.setMaxTextMessageSize(16 * 1024 * 1024);
        client.setMaxBinaryMessageSize(16 * 1024 * 1024);
        client.start();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        if (subprotocols.length > 0) {
            request.setSubProtocols(subprotocols);
        }
        extensions.forEach(request::addExtensions);
        session = client.connect(new Listener(), uri, request).get(10, TimeUnit.SECONDS);
    }

    /** The extensions the server accepted. */
    List<String> extensions() {
        return session.getUpgradeResponse().getExtensions().stream().map(e -> e.getName()).toList();
    }

    /** Sends a WebSocket ping; the server's pong lands in {@link #pongs}. */
    void ping(byte[] payload) {
        session.sendPing(ByteBuffer.wrap(payload), Callback.NOOP);
    }

    /** Logs in over an open socket and returns CONNECTED. */
    StompFrame login(String acceptVersion) throws InterruptedException {
        send("CONNECT", headers("accept-version", acceptVersion, "heart-beat", "0,0"));
        StompFrame connected = next("CONNECTED");
        version = StompVersion.negotiate(connected.header("version"));
        synchronized (decoder) {
            decoder.version(version);
        }
        return connected;
    }

    /** Connects and logs in with {@code accept-version} and the extra headers; returns CONNECTED. */
    static StompTestClient connected(URI uri, String... headers) throws Exception {
        StompTestClient c = new StompTestClient(uri, "v12.stomp", "v11.stomp", "v10.stomp");
        Map<String, String> h = headers("accept-version", "1.2,1.1,1.0", "heart-beat", "0,0");
        h.putAll(headers(headers));
        c.send("CONNECT", h);
        StompFrame connected = c.next();
        assertThat(connected.command()).as("%s", connected).isEqualTo("CONNECTED");
        c.version = StompVersion.negotiate(connected.header("version"));
        c.decoder.version(c.version);
        return c;
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    String subprotocol() {
        return session.getUpgradeResponse().getAcceptedSubProtocol();
    }

    void send(String command, Map<String, String> headers) {
        send(command, headers, new byte[0]);
    }

    void send(String command, Map<String, String> headers, String body) {
        send(command, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    void send(String command, Map<String, String> headers, byte[] body) {
        sendRaw(StompFrameEncoder.encode(new StompFrame(command, headers, body), version), false);
    }

    void sendRaw(byte[] bytes, boolean binary) {
        if (binary) {
            session.sendBinary(ByteBuffer.wrap(bytes), Callback.NOOP);
        } else {
            session.sendText(new String(bytes, StandardCharsets.UTF_8), Callback.NOOP);
        }
    }

    void sendRaw(String text) {
        sendRaw(text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The next frame, failing after a while. */
    StompFrame next() throws InterruptedException {
        StompFrame pushed = pushback.poll();
        if (pushed != null) {
            return pushed;
        }
        StompFrame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no STOMP frame within " + WAIT + (closed.getCount() == 0 ? " (closed " + closeCode + ")" : ""));
        }
        return frame;
    }

    /** The next frame, or {@code null} after {@code wait}. */
    StompFrame poll(Duration wait) throws InterruptedException {
        StompFrame pushed = pushback.poll();
        return pushed != null ? pushed : frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next frame, which must be {@code command}. */
    StompFrame next(String command) throws InterruptedException {
        StompFrame frame = next();
        assertThat(frame.command()).as("%s: %s", frame, frame.text()).isEqualTo(command);
        return frame;
    }

    /** Sends with a receipt and waits for it, so the frame was processed. */
    void sendAndAwaitReceipt(String command, Map<String, String> headers, String body) throws InterruptedException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        String receipt = "r-" + System.nanoTime();
        h.put("receipt", receipt);
        send(command, h, body);
        awaitReceipt(receipt);
    }

    /** Waits for the RECEIPT of {@code receipt}; frames before it stay to be read, in order. */
    void awaitReceipt(String receipt) throws InterruptedException {
        java.util.List<StompFrame> before = new java.util.ArrayList<>();
        while (true) {
            StompFrame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no RECEIPT " + receipt + " within " + WAIT + "; got " + before);
            }
            if (frame.command().equals("RECEIPT") && receipt.equals(frame.header("receipt-id"))) {
                break;
            }
            assertThat(frame.command()).as("%s: %s", frame, frame.text()).isNotEqualTo("ERROR");
            before.add(frame);
        }
        pushback.addAll(before);
    }

    void subscribe(String id, String destination, String... more) throws InterruptedException {
        Map<String, String> h = headers("id", id, "destination", destination);
        h.putAll(headers(more));
        sendAndAwaitReceipt("SUBSCRIBE", h, "");
    }

    /** Waits for the server to close the socket. */
    void awaitClosed() throws InterruptedException {
        assertThat(closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("server closed the socket").isTrue();
    }

    /** Nothing more arrives within {@code wait}. */
    void assertNothingWithin(Duration wait) throws InterruptedException {
        StompFrame frame = pushback.isEmpty() ? frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS) : pushback.peek();
        assertThat(frame).as("unexpected frame").isNull();
    }

    List<StompFrame> drainFrames() {
        List<StompFrame> out = new java.util.ArrayList<>(pushback);
        pushback.clear();
        frames.drainTo(out);
        return out;
    }

    /** Drops the TCP connection without a close handshake. */
    void kill() {
        session.disconnect();
    }

    @Override
    public void close() throws Exception {
        session.close();
        client.stop();
    }

    public final class Listener implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            messageKinds.add(true);
            feed(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            messageKinds.add(false);
            feed(payload);
            callback.succeed();
        }

        private void feed(ByteBuffer bytes) {
            if (bytes.remaining() == 1 && bytes.get(bytes.position()) == '\n') {
                heartbeats++;
                return;
            }
            synchronized (decoder) {
                decoder.decode(bytes, frames::add);
            }
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
            copy.put(payload).flip();
            pongs.add(copy);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeCode = statusCode;
            closed.countDown();
        }
    }
}
