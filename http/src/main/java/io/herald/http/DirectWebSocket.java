package io.herald.http;

import java.nio.ByteBuffer;
import java.nio.channels.WritePendingException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * Server-to-client WebSocket frames written straight on the connection's {@link EndPoint}, already framed: the
 * WebSocket counterpart of {@link DirectStream}. A server frame is never masked (RFC 6455 5.1), so the bytes
 * of a frame (header and payload) are the same for every connection that is sent the same message, and a
 * transport can frame a message once and hand the same bytes to all of them, several frames gathered in one
 * write. Jetty's own path ({@code Session.sendText}) costs per frame and connection a text-to-bytes
 * conversion, a frame object, the extension stack, the frame flusher's queue, lock and callback state
 * machine, and a header buffer from the pool.
 *
 * <p>Usable only where no extension was negotiated (no {@code permessage-deflate}: a frame's bytes would
 * depend on each connection's compressor) and only for data and pong frames: Jetty writes the close
 * handshake itself. Writes go through the endpoint's write flusher, so a write never interleaves with one
 * Jetty has pending (its close reply): one of the two fails with {@link WritePendingException} instead,
 * which only happens while the connection is closing. For the same reason the endpoint must not answer
 * pings itself (a listener that overrides {@code onWebSocketPing} stops Jetty's automatic pong): the
 * transport queues the pong with its own frames.
 *
 * <p>Not thread-safe: for the connection's one writer, which never has two writes in flight.
 */
public final class DirectWebSocket {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int PONG = 0xA;
    /** The longest header of an unmasked frame: 2 bytes, then 8 of length. */
    public static final int MAX_HEADER = 10;

    private final EndPoint endPoint;

    public DirectWebSocket(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /** The length of the header of an unmasked frame whose payload has {@code length} bytes. */
    public static int headerLength(int length) {
        return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    /**
     * Writes the header of a final, unmasked frame of {@code opcode} with a payload of {@code length} bytes so
     * that it ends right before {@code payloadStart} in {@code bytes}; returns where the frame starts.
     */
    public static int header(byte[] bytes, int payloadStart, int opcode, int length) {
        int start = payloadStart - headerLength(length);
        if (start < 0) {
            throw new IllegalArgumentException("no room for a " + headerLength(length) + "-byte header before " + payloadStart);
        }
        bytes[start] = (byte) (0x80 | opcode);
        if (length < 126) {
            bytes[start + 1] = (byte) length;
        } else if (length <= 0xFFFF) {
            bytes[start + 1] = 126;
            bytes[start + 2] = (byte) (length >>> 8);
            bytes[start + 3] = (byte) length;
        } else {
            bytes[start + 1] = 127;
            long l = length;
            for (int i = 0; i < 8; i++) {
                bytes[start + 2 + i] = (byte) (l >>> (56 - 8 * i));
            }
        }
        return start;
    }

    /** {@code payload} as one final frame of {@code opcode}: a new array holding the header and a copy of it. */
    public static byte[] frame(int opcode, byte[] payload) {
        int header = headerLength(payload.length);
        byte[] framed = new byte[header + payload.length];
        header(framed, header, opcode, payload.length);
        System.arraycopy(payload, 0, framed, header, payload.length);
        return framed;
    }

    /**
     * Writes {@code buffers} (whole frames, in order) and completes {@code callback} once they are written: before
     * this returns when the socket takes them all, else later. The array and the bytes under it must stay
     * unchanged until then (the endpoint keeps what it could not write yet). A failed write, or one that
     * finds a write of Jetty's pending (the close handshake), fails the callback.
     */
    public void write(Callback callback, ByteBuffer... buffers) {
        try {
            endPoint.write(callback, buffers);
        } catch (IllegalStateException e) { // WritePendingException among others
            callback.failed(e);
        }
    }
}
