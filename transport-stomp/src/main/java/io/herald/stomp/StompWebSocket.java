package io.herald.stomp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * A STOMP connection over one WebSocket: each WebSocket message part (text or binary) is bytes for the frame
 * decoder, which reassembles frames split across messages; each frame goes out as one message, text when
 * its bytes are UTF-8, binary otherwise (a browser closes a text message with bad UTF-8 with 1007).
 * Public only because Jetty calls its listener methods through method handles. Thread-safe.
 */
public final class StompWebSocket implements Session.Listener.AutoDemanding, StompSocket {

    private final StompTransport transport;
    private final String token;
    private final String remote;
    private volatile Session session;
    private volatile StompConnection connection;

    StompWebSocket(StompTransport transport, String token, String remote) {
        this.transport = transport;
        this.token = token;
        this.remote = remote;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.connection = new StompConnection(transport, this);
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
    public void send(byte[] frame, boolean text, org.eclipse.jetty.util.Callback callback) {
        Session s = session;
        Callback done = Callback.from(callback::succeeded, callback::failed);
        if (text) {
            s.sendText(new String(frame, StandardCharsets.UTF_8), done);
        } else {
            s.sendBinary(ByteBuffer.wrap(frame), done);
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
