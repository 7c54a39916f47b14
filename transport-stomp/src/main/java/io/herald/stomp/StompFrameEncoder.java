package io.herald.stomp;

import io.herald.http.DirectWebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes STOMP frames as bytes: command, headers escaped for the version (never for CONNECTED), a
 * {@code content-length} in bytes on every frame that may carry a body (so bodies may hold NULs and stompjs
 * reads exactly the body), the body and a NUL. A header a version cannot represent (a line break under 1.0)
 * is left out rather than breaking the frame. A {@code content-length} among the given headers is ignored:
 * the encoder always counts the body itself.
 *
 * <p>Stateless and thread-safe.
 */
public final class StompFrameEncoder {

    /** A heart-beat: one EOL. */
    public static final byte[] HEARTBEAT = {'\n'};

    private StompFrameEncoder() {
    }

    public static byte[] encode(StompFrame frame, StompVersion version) {
        return encode(frame.command(), frame.headers(), frame.body(), version);
    }

    /** Encodes a frame from its parts, without building a {@link StompFrame} first. */
    public static byte[] encode(String command, Map<String, String> headers, byte[] body, StompVersion version) {
        return write(new Bytes(64 + body.length + headers.size() * 32), command, headers, body, version).toArray();
    }

    /** Encodes a frame ready for either link ({@link OutgoingFrame}), text when its bytes allow. */
    static OutgoingFrame frame(StompFrame frame, StompVersion version) {
        return frame(frame.command(), frame.headers(), frame.body(), version);
    }

    static OutgoingFrame frame(String command, Map<String, String> headers, byte[] body, StompVersion version) {
        Bytes out = new Bytes(DirectWebSocket.MAX_HEADER + 64 + body.length + headers.size() * 32).skip(DirectWebSocket.MAX_HEADER);
        return new OutgoingFrame(write(out, command, headers, body, version).toArray(),
                isText(body) ? DirectWebSocket.TEXT : DirectWebSocket.BINARY);
    }

    private static Bytes write(Bytes out, String command, Map<String, String> headers, byte[] body, StompVersion version) {
        out.ascii(command).add('\n');
        boolean escape = version.escapes(command);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getKey().equals("content-length")) {
                header(out, header.getKey(), header.getValue(), escape, version);
            }
        }
        if (StompCommands.WITH_BODY.contains(command)) {
            end(out, body);
        }
        return out.add('\n').add(body).add(0);
    }

    /** Appends {@code name:value} and an EOL, escaped as the version wants; nothing if it cannot be represented. */
    static void header(Bytes out, String name, String value, boolean escape, StompVersion version) {
        String n = escape ? version.escape(name, true) : raw(name, true);
        String v = escape ? version.escape(value, false) : raw(value, false);
        if (n != null && v != null) {
            out.utf8(n).add(':').utf8(v).add('\n');
        }
    }

    /** Appends the {@code content-length} header of {@code body}. */
    static void end(Bytes out, byte[] body) {
        out.ascii("content-length:").ascii(Integer.toString(body.length)).add('\n');
    }

    /**
     * Whether {@code body} can travel in a WebSocket text message: valid UTF-8 without NUL (legal UTF-8, but some
     * clients split text at it). A browser closes a text message with bad UTF-8 with 1007.
     */
    static boolean isText(byte[] body) {
        for (byte b : body) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    /** Without escaping, a line break (or a colon in a name) cannot be written at all. */
    private static String raw(String text, boolean name) {
        return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || (name && text.indexOf(':') >= 0) ? null : text;
    }

    /** A growable byte array; avoids ByteArrayOutputStream's synchronization on the delivery path. */
    static final class Bytes {
        private byte[] bytes;
        private int size;

        Bytes(int capacity) {
            bytes = new byte[capacity];
        }

        /** Leaves {@code n} bytes at the current end for a header written later. */
        Bytes skip(int n) {
            ensure(n);
            size += n;
            return this;
        }

        Bytes add(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
            return this;
        }

        Bytes add(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return this;
        }

        Bytes ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
            return this;
        }

        Bytes utf8(String s) {
            return add(s.getBytes(StandardCharsets.UTF_8));
        }

        private void ensure(int n) {
            if (bytes.length - size < n) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        byte[] toArray() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
