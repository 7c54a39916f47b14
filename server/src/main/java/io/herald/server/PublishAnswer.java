package io.herald.server;

import io.herald.api.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON answers of {@code POST /api/publish}, written straight into bytes: {@code {"channel", "id",
 * "position": {"epoch", "offset"}}} per message and {@code {"error", "status"}} per refused batch element.
 *
 * <p>Their shape is fixed and small, so a generator (a Jackson {@code JsonGenerator} with its buffers and
 * contexts, created per request) cost more than the answer itself: the publish profile in
 * {@code docs/benchmarks.md} shows it. Strings are escaped as JSON requires (quote, backslash, control
 * characters) and written as UTF-8. Not thread-safe: one per answer.
 */
final class PublishAnswer {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;

    PublishAnswer(int capacity) {
        bytes = new byte[capacity];
    }

    /** {@code {"channel": ..., "id": ..., "position": {"epoch": ..., "offset": ...}}}. */
    PublishAnswer message(Message message) {
        ascii("{\"channel\":").string(message.channel().value());
        ascii(",\"id\":").string(message.id());
        ascii(",\"position\":{\"epoch\":").string(message.position().epoch());
        ascii(",\"offset\":").number(message.position().offset());
        return ascii("}}");
    }

    /** {@code {"error": ..., "status": ...}}, as every refusal of the API reads. */
    PublishAnswer error(int status, String reason) {
        ascii("{\"error\":").string(reason);
        ascii(",\"status\":").number(status);
        return ascii("}");
    }

    /** Characters that need no escaping and no encoding (the caller's promise): punctuation and names. */
    PublishAnswer ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    /** {@code null}, or the quoted, escaped string. */
    PublishAnswer string(String text) {
        if (text == null) {
            return ascii("null");
        }
        int n = text.length();
        // Worst case per char: 6 bytes (\\u00XX) or 3 bytes of UTF-8; surrogate pairs take 4 for 2 chars.
        ensure(6 * n + 2);
        bytes[length++] = '"';
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c < 0x20) {
                bytes[length++] = '\\';
                bytes[length++] = 'u';
                bytes[length++] = '0';
                bytes[length++] = '0';
                bytes[length++] = HEX[c >> 4];
                bytes[length++] = HEX[c & 0xf];
            } else if (c < 0x80) {
                bytes[length++] = (byte) c;
            } else {
                int end = i + 1;
                while (end < n && text.charAt(end) >= 0x80) {
                    end++;
                }
                byte[] utf8 = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(utf8, 0, bytes, length, utf8.length);
                length += utf8.length;
                i = end - 1;
            }
        }
        bytes[length++] = '"';
        return this;
    }

    PublishAnswer number(long value) {
        return ascii(Long.toString(value));
    }

    /** The bytes written so far, without copying. */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes, 0, length);
    }

    /** The bytes written so far, as text (for tests and logs). */
    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
