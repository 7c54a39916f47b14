package io.herald.stomp;

import io.herald.http.DirectWebSocket;
import java.nio.ByteBuffer;

/**
 * One encoded frame ready for either link: its STOMP bytes, preceded in the same array by the WebSocket header
 * that makes them one WebSocket message (text when the bytes are UTF-8 without NUL, else binary), so a
 * WebSocket writes {@link #webSocket} and TCP {@link #stomp} without copying. A frame that goes to many
 * connections (a MESSAGE fanned out) is one shared instance. A WebSocket pong is one too, for the WebSocket
 * alone. Immutable.
 */
final class OutgoingFrame {

    /** A heart-beat: one EOL. */
    static final OutgoingFrame HEARTBEAT = of(StompFrameEncoder.HEARTBEAT, true);

    private final byte[] bytes;
    private final int webSocketStart;
    private final int stompStart;
    final int opcode;

    /**
     * Frames {@code bytes[MAX_HEADER ..]}, whose first {@link DirectWebSocket#MAX_HEADER} bytes are room for the
     * header; the array is the frame's from now on.
     */
    OutgoingFrame(byte[] bytes, int opcode) {
        this.bytes = bytes;
        this.stompStart = DirectWebSocket.MAX_HEADER;
        this.opcode = opcode;
        this.webSocketStart = DirectWebSocket.header(bytes, stompStart, opcode, bytes.length - stompStart);
    }

    /** A copy of {@code frame}, text when {@code text}. */
    static OutgoingFrame of(byte[] frame, boolean text) {
        return of(frame, text ? DirectWebSocket.TEXT : DirectWebSocket.BINARY);
    }

    static OutgoingFrame of(byte[] payload, int opcode) {
        byte[] bytes = new byte[DirectWebSocket.MAX_HEADER + payload.length];
        System.arraycopy(payload, 0, bytes, DirectWebSocket.MAX_HEADER, payload.length);
        return new OutgoingFrame(bytes, opcode);
    }

    /** A WebSocket pong answering a ping with {@code payload}. */
    static OutgoingFrame pong(byte[] payload) {
        return of(payload, DirectWebSocket.PONG);
    }

    boolean text() {
        return opcode == DirectWebSocket.TEXT;
    }

    boolean webSocketOnly() {
        return opcode == DirectWebSocket.PONG;
    }

    /** The STOMP frame (or the pong's payload), as a new buffer over the shared bytes. */
    ByteBuffer stomp() {
        return ByteBuffer.wrap(bytes, stompStart, bytes.length - stompStart);
    }

    /** The whole WebSocket frame, header included, as a new buffer over the shared bytes. */
    ByteBuffer webSocket() {
        return ByteBuffer.wrap(bytes, webSocketStart, bytes.length - webSocketStart);
    }

    /** A copy of the STOMP frame's bytes. */
    byte[] stompBytes() {
        byte[] copy = new byte[bytes.length - stompStart];
        System.arraycopy(bytes, stompStart, copy, 0, copy.length);
        return copy;
    }

    int size() {
        return bytes.length - webSocketStart;
    }
}
