package io.herald.stomp;

import io.herald.http.DirectWebSocket;
import io.herald.http.ReleasedUpgrade;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.util.CountingCallback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * A STOMP connection over one WebSocket: each WebSocket message part (text or binary) is bytes for the frame
 * decoder, which reassembles frames split across messages; each frame goes out as one message, text when
 * its bytes are UTF-8, binary otherwise (a browser closes a text message with bad UTF-8 with 1007).
 *
 * <p>Frames are written straight on the connection, already framed ({@link DirectWebSocket}: the frames of
 * one writer pass in one write, a MESSAGE fanned out as the same bytes on every connection), unless an
 * extension was negotiated (the endpoint declines them, see {@link StompWebSocketHandler}) or the link is not
 * Jetty's own WebSocket connection; then through Jetty's session. Pings are answered with the connection's
 * other frames, by its writer, so that no write of Jetty's runs beside it.
 * Public only because Jetty calls its listener methods through method handles. Thread-safe.
 */
public final class StompWebSocket implements Session.Listener.AutoDemanding, StompSocket {

    private final StompTransport transport;
    private final String token;
    private final String remote;
    private volatile Session session;
    private volatile StompConnection connection;
    /** Where frames go straight out; null when they go through Jetty's session. */
    private volatile DirectWebSocket direct;

    StompWebSocket(StompTransport transport, String token, String remote) {
        this.transport = transport;
        this.token = token;
        this.remote = remote;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        // Token, remote address and subprotocol were read at the upgrade: the HTTP request need not stay reachable.
        ReleasedUpgrade.release(session);
        this.direct = direct(session);
        this.connection = new StompConnection(transport, this);
    }

    private static DirectWebSocket direct(Session session) {
        if (session instanceof WebSocketSession jetty && jetty.getCoreSession() instanceof WebSocketCoreSession core
                && core.getNegotiatedExtensions().isEmpty() && core.getConnection() != null) {
            return new DirectWebSocket(core.getConnection().getEndPoint());
        }
        return null;
    }

    /** Jetty does not answer pings of a listener that handles them: the pong goes out with the other frames. */
    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        StompConnection c = connection;
        if (c != null) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            c.outbound().pong(OutgoingFrame.pong(bytes));
        }
    }

    // Parts, not whole messages: the frame decoder enforces the frame limit as bytes arrive and answers an
    // oversized frame with an ERROR, where a message limit would only close the socket (1009).
    @Override
    public void onWebSocketPartialText(String part, boolean last) {
        connection.onBytes(ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        try {
            connection.onBytes(payload);
            callback.succeed();
        } catch (RuntimeException e) {
            callback.fail(e);
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        StompConnection c = connection;
        if (c != null) {
            c.onClosed();
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        StompConnection c = connection;
        if (c != null) {
            c.onClosed();
        }
    }

    @Override
    public void send(StompBatch batch, org.eclipse.jetty.util.Callback callback) {
        DirectWebSocket d = direct;
        if (d != null) {
            d.write(callback, batch.webSocketBuffers());
            return;
        }
        // Jetty's path: one send per frame, the callback once the last is written (or the first fails).
        Session s = session;
        CountingCallback counting = new CountingCallback(callback, batch.count());
        Callback each = Callback.from(counting::succeeded, counting::failed);
        for (int i = 0; i < batch.count(); i++) {
            OutgoingFrame frame = batch.frame(i);
            switch (frame.opcode) {
                case DirectWebSocket.TEXT -> s.sendText(new String(frame.stompBytes(), StandardCharsets.UTF_8), each);
                case DirectWebSocket.BINARY -> s.sendBinary(ByteBuffer.wrap(frame.stompBytes()), each);
                default -> s.sendPong(ByteBuffer.wrap(frame.stompBytes()), each);
            }
        }
    }

    @Override
    public void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(StatusCode.NORMAL, null, Callback.NOOP);
        }
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public String token() {
        return token;
    }
}
