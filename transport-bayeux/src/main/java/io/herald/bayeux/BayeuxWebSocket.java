package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.DirectWebSocket;
import io.herald.http.ReleasedUpgrade;
import io.herald.http.SelectorReads;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bayeux over one WebSocket ({@code websocket} connection type): each text frame is a request (an array of
 * messages, as Faye and CometD send), each response one text frame. Replies to non-connect messages go out at
 * once; a {@code /meta/connect} is held as over HTTP. A client that acknowledges nothing gets its deliveries
 * pushed on the socket as they arrive, each push a message array of its own, as CometD's websocket transport
 * does ({@link BayeuxClient}); one using the acknowledgement extension or Herald's position acks gets them in
 * the connect replies, which its acknowledgements count. A client id is not tied to one socket: a client may
 * come back on another socket, or over HTTP, with the same id.
 *
 * <p>Frames go out through the socket's one {@link BayeuxSocketWriter}, straight on the connection: whatever is
 * queued when it runs leaves in one write, and a push of one delivery is the same framed bytes on every socket.
 * Where an extension was negotiated ({@code permessage-deflate}: each connection's compressor makes its own bytes)
 * or the session is not Jetty's own, they go through Jetty's session instead. Pings are answered by the same
 * writer, so that no write of Jetty's runs beside it (Jetty writes only the close handshake).
 *
 * <p>Where connects are answered without waiting ({@link BayeuxServer#connectsWithoutWaiting}), the socket's frames
 * are read on Jetty's selector thread ({@link SelectorReads}): a frame of connects of clients this node holds (with
 * acks, one per delivered batch, the bulk of the frames) is handled there, with no hand-off to a pool thread; any
 * other frame is handed to the pool. The next frame is read once a frame is handled, wherever it was, so frames
 * are handled one at a time and in order, as before.
 *
 * <p>A frame that is not Bayeux closes the socket with 1003 (bad data), a message over the size limit with 1009,
 * one that is not UTF-8 with 1007 ({@link TextFrames}). Thread-safe: the writer (or Jetty's frame flusher) queues
 * sends in call order, and a client's responses are sent under its lock. Public only because Jetty reaches the
 * listener methods by reflection.
 */
public final class BayeuxWebSocket implements Session.Listener, BayeuxLink {

    private static final Logger LOG = LoggerFactory.getLogger(BayeuxWebSocket.class);
    /**
     * The most bytes of deliveries in one frame: 64 KiB, the Jakarta WebSocket container's default text message
     * limit, which CometD's Java client runs with, less room for the connect reply that may share the frame.
     */
    static final int MAX_FRAME_DELIVERIES = 64 * 1024 - 2048;

    private final BayeuxProtocol protocol;
    private final BayeuxCodec codec;
    private final BayeuxStats stats;
    private final String token;
    private final String remoteAddress;
    private volatile Session session;
    /** Jetty's session underneath {@link #session}, which takes a text frame as UTF-8 bytes; null if not Jetty's. */
    private volatile CoreSession core;
    /** Where frames go straight out; null when they go through Jetty's session. */
    private volatile BayeuxSocketWriter writer;
    private volatile BayeuxClient holder;
    /** Jetty's pool for frames that may wait, when this socket's frames are read on the selector; else null. */
    private volatile Executor pool;
    /** The text frames read so far; set at open, then used by the one frame being handled at a time. */
    private TextFrames text;

    BayeuxWebSocket(BayeuxProtocol protocol, BayeuxCodec codec, BayeuxStats stats, String token, String remoteAddress) {
        this.protocol = protocol;
        this.codec = codec;
        this.stats = stats;
        this.token = token;
        this.remoteAddress = remoteAddress;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.core = session instanceof WebSocketSession jetty ? jetty.getCoreSession() : null;
        this.text = new TextFrames(session.getMaxTextMessageSize());
        // Token, remote address and subprotocol were read at the upgrade: the HTTP request need not stay reachable.
        ReleasedUpgrade.release(session);
        if (core instanceof WebSocketCoreSession direct && direct.getNegotiatedExtensions().isEmpty()
                && direct.getConnection() != null) {
            this.writer = new BayeuxSocketWriter(new DirectWebSocket(direct.getConnection().getEndPoint()), this::writeFailed);
        }
        if (protocol.readsOnSelector()) {
            pool = SelectorReads.enable(session);
        }
        session.demand();
    }

    /** A direct write failed: the connection is broken (or closing); Jetty is told, which closes it. */
    private void writeFailed(Throwable cause) {
        LOG.debug("Bayeux WebSocket of {}: write failed: {}", remoteAddress, cause.toString());
        Session s = session;
        if (s != null) {
            s.disconnect();
        }
    }

    /**
     * Every frame comes here, before Jetty's message sinks (a listener that takes frames gets no other callback but
     * open, close and error): text messages are joined by {@link TextFrames} and parsed from their UTF-8 bytes,
     * with the limit and the UTF-8 check of Jetty's text sink, whose per-message String and 4 KiB character buffer
     * were the largest allocation of a connect cycle. Pings are answered here, pongs and binary messages ignored,
     * as Jetty did for this listener; a close frame is left to Jetty, which answers it and then calls
     * {@link #onWebSocketClose}. The next frame is demanded once this one is handled.
     */
    @Override
    public void onWebSocketFrame(org.eclipse.jetty.websocket.api.Frame frame, Callback callback) {
        switch (frame.getEffectiveOpCode()) {
            case OpCode.TEXT -> {
                byte[] message;
                try {
                    message = text.add(frame.hasPayload() ? frame.getPayload() : null, frame.isFin());
                } catch (RuntimeException e) { // over the limit (1009) or not UTF-8 (1007): Jetty closes the socket
                    callback.fail(e);
                    return;
                }
                callback.succeed();
                if (message == null) {
                    session.demand();
                } else {
                    onText(message);
                }
            }
            case OpCode.PING -> {
                byte[] bytes = new byte[frame.getPayloadLength()];
                if (bytes.length > 0) {
                    frame.getPayload().get(bytes);
                }
                callback.succeed();
                pong(bytes);
            }
            case OpCode.CLOSE -> callback.succeed();
            default -> {
                callback.succeed();
                session.demand();
            }
        }
    }

    /** Jetty does not answer the pings of a listener that takes frames: the pong goes out with the other frames. */
    private void pong(byte[] bytes) {
        BayeuxSocketWriter w = writer;
        if (w != null) {
            w.pong(bytes);
        } else {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.sendPong(ByteBuffer.wrap(bytes), Callback.NOOP);
            }
        }
        // The listener demands each frame itself (see onWebSocketOpen): a ping handled here asks for the next.
        Session s = session;
        if (s != null) {
            s.demand();
        }
    }

    /** One whole text message (UTF-8): a Bayeux request, handled here or on Jetty's pool. */
    private void onText(byte[] utf8) {
        List<BayeuxMessage> messages;
        try {
            messages = codec.decode(utf8);
        } catch (BayeuxRefusal refusal) {
            stats.refused.increment();
            LOG.debug("closing the Bayeux WebSocket of {}: {}", remoteAddress, refusal.getMessage());
            session.close(StatusCode.BAD_DATA, truncate(refusal.getMessage()), Callback.NOOP);
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("ws-> {} {}", remoteAddress, messages);
        }
        Executor p = pool;
        if (p == null || protocol.answersWithoutWaiting(messages)) {
            handle(messages);
            return;
        }
        try {
            p.execute(() -> handle(messages));
        } catch (RejectedExecutionException e) {
            // The pool is full and its queue too: the server is overloaded, which a client may retry later.
            session.close(StatusCode.TRY_AGAIN_LATER, "the server is overloaded; retry shortly", Callback.NOOP);
        }
    }

    /** Handles one frame's messages, then reads the next frame; a failure closes the socket (1011), as Jetty would. */
    private void handle(List<BayeuxMessage> messages) {
        try {
            protocol.process(messages, this, token, remoteAddress);
        } catch (RuntimeException | Error e) {
            LOG.warn("closing the Bayeux WebSocket of {}: {}", remoteAddress, e.toString());
            session.close(StatusCode.SERVER_ERROR, "server error", Callback.NOOP);
            return;
        }
        session.demand();
    }

    /** A close reason must fit in a control frame (123 bytes of UTF-8). */
    private static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 120 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        BayeuxClient client = holder;
        if (client != null) {
            client.abandon(this);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Bayeux WebSocket of {} failed: {}", remoteAddress, cause.toString());
        onWebSocketClose(StatusCode.ABNORMAL, cause.getMessage());
    }

    @Override
    public void send(List<ObjectNode> replies, List<byte[]> deliveries) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        BayeuxSocketWriter w = writer;
        if (w != null) {
            if (LOG.isTraceEnabled()) {
                LOG.trace("ws<- {}", new String(BayeuxCodec.encode(replies, deliveries), StandardCharsets.UTF_8));
            }
            w.send(replies, deliveries);
            return;
        }
        byte[] frame = BayeuxCodec.encode(replies, deliveries);
        if (LOG.isTraceEnabled()) {
            LOG.trace("ws<- {}", new String(frame, StandardCharsets.UTF_8));
        }
        sendText(s, frame, null);
    }

    /**
     * Sends {@code utf8} (valid UTF-8: Jackson's output and pre-encoded deliveries) as one text frame, then runs
     * {@code written} (if not null) once it left or failed. Straight to Jetty's core session where there is one,
     * as its {@code sendText} does, minus the String: decoding a response of up to 64 KiB to a String only for
     * Jetty to encode it back to the same bytes cost two copies and two UTF-8 passes per connect cycle.
     */
    private void sendText(Session s, byte[] utf8, Runnable written) {
        CoreSession c = core;
        if (c != null) {
            org.eclipse.jetty.util.Callback done = written == null ? org.eclipse.jetty.util.Callback.NOOP
                    : org.eclipse.jetty.util.Callback.from(written, failure -> written.run());
            c.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(utf8)), done, false);
            return;
        }
        String text = new String(utf8, StandardCharsets.UTF_8);
        s.sendText(text, written == null ? Callback.NOOP : Callback.from(written, failure -> written.run()));
    }

    @Override
    public boolean pushes() {
        return true;
    }

    @Override
    public void push(List<byte[]> deliveries, Runnable written) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            written.run();
            return;
        }
        BayeuxSocketWriter w = writer;
        if (w != null) {
            if (LOG.isTraceEnabled()) {
                LOG.trace("ws<- (push) {}", new String(BayeuxCodec.encode(List.of(), deliveries), StandardCharsets.UTF_8));
            }
            w.send(List.of(), deliveries, written);
            return;
        }
        byte[] frame = BayeuxCodec.encode(List.of(), deliveries);
        if (LOG.isTraceEnabled()) {
            LOG.trace("ws<- (push) {}", new String(frame, StandardCharsets.UTF_8));
        }
        sendText(s, frame, written);
    }

    @Override
    public int maxDeliveryBytes() {
        return MAX_FRAME_DELIVERIES;
    }

    @Override
    public boolean oneResponse() {
        return false;
    }

    @Override
    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    @Override
    public void holding(BayeuxClient client) {
        holder = client;
        if (!isOpen()) {
            client.abandon(this);
        }
    }

    @Override
    public String type() {
        return "websocket";
    }
}
