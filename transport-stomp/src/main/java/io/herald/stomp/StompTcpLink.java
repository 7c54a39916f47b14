package io.herald.stomp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * A STOMP connection over plain TCP: the same {@link StompConnection} as over WebSocket, with frames back to
 * back on the byte stream (the decoder finds their ends; heart-beats are bare EOLs). Jetty's non-blocking
 * endpoint: the reader is called when bytes are there, writes complete asynchronously, so a client that does
 * not read fills its outbox and is cut off exactly as over WebSocket. TLS is left to a proxy in front.
 * Thread-safe.
 */
final class StompTcpLink extends AbstractConnection implements StompSocket {

    private final StompTransport transport;
    private final ByteBuffer input = BufferUtil.allocate(16 * 1024);
    private volatile StompConnection connection;

    StompTcpLink(EndPoint endPoint, Executor executor, StompTransport transport) {
        super(endPoint, executor);
        this.transport = transport;
    }

    @Override
    public void onOpen() {
        super.onOpen();
        connection = new StompConnection(transport, this);
        fillInterested();
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                BufferUtil.clear(input);
                int n = getEndPoint().fill(input);
                if (n > 0) {
                    connection.onBytes(input);
                } else if (n == 0) {
                    fillInterested();
                    return;
                } else {
                    connection.onClosed();
                    getEndPoint().close();
                    return;
                }
            }
        } catch (Throwable e) {
            connection.onClosed();
            getEndPoint().close(e);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        StompConnection c = connection;
        if (c != null) {
            c.onClosed();
        }
    }

    @Override
    public void send(StompBatch batch, Callback callback) {
        getEndPoint().write(callback, batch.stompBuffers());
    }

    @Override
    public void close() {
        getEndPoint().close();
    }

    @Override
    public String remoteAddress() {
        SocketAddress address = getEndPoint().getRemoteSocketAddress();
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    @Override
    public String token() {
        return null;
    }
}
