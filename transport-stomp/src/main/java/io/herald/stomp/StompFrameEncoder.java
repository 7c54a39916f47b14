package io.herald.stomp;

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
        Bytes out = new Bytes(64 + body.length + headers.size() * 32);
        out.ascii(command).add('\n');
        boolean escape = version.escapes(command);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equals("content-length")) {
                continue;
            }
            String name = escape ? version.escape(header.getKey(), true) : raw(header.getKey(), true);
            String value = escape ? version.escape(header.getValue(), false) : raw(header.getValue(), false);
            if (name == null || value == null) {
                continue;
            }
            out.utf8(name).add(':').utf8(value).add('\n');
        }
        if (StompCommands.WITH_BODY.contains(command)) {
            out.ascii("content-length:").ascii(Integer.toString(body.length)).add('\n');
        }
        out.add('\n').add(body).add(0);
        return out.toArray();
    }

    /** Without escaping, a line break (or a colon in a name) cannot be written at all. */
    private static String raw(String text, boolean name) {
        return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || (name && text.indexOf(':') >= 0) ? null : text;
    }

    /** A growable byte array; avoids ByteArrayOutputStream's synchronization on the delivery path. */
    private static final class Bytes {
        private byte[] bytes;
        private int size;

        Bytes(int capacity) {
            bytes = new byte[capacity];
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
