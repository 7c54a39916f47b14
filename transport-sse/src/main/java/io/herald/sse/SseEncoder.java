package io.herald.sse;

import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.http.DirectStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encodes the parts of an SSE event. The part that is the same for every connection ({@code event:} and
 * the {@code data:} lines) is encoded once per message and shared: fan-out hands the same {@link Message}
 * to every connection in a row, so a small cache keyed by message identity hits for all but the first.
 * The {@code id:} line of a connection with several channels carries all of them and is written by the
 * connection; for the common connection with one channel it depends on the message alone, so the whole
 * event ({@link #singleChannelEvent}) is encoded once too and every such connection writes the same bytes,
 * framed once more as an HTTP chunk for the streams that write on their connection directly.
 * Thread-safe.
 */
final class SseEncoder {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final int SLOTS = 256;

    private record Encoded(Message message, byte[] body, byte[] event, byte[] chunk) {
    }

    private final AtomicReferenceArray<Encoded> cache = new AtomicReferenceArray<>(SLOTS);

    /** {@code event:} (when typed) and {@code data:} lines of {@code message}, ending with the blank line. */
    byte[] body(Message message) {
        return encoded(message).body;
    }

    /**
     * The whole event of {@code message} for a connection on its channel alone: the {@code id:} line
     * ({@link SseEventId} of that one position) then {@link #body}. The bytes are shared: never modify them.
     */
    byte[] singleChannelEvent(Message message) {
        return encoded(message).event;
    }

    /**
     * {@link #singleChannelEvent} framed as one HTTP/1.1 chunk ({@link DirectStream#chunk}), for streams written
     * straight on their connection. Shared: never modify it.
     */
    byte[] singleChannelChunk(Message message) {
        return encoded(message).chunk;
    }

    private Encoded encoded(Message message) {
        int slot = System.identityHashCode(message) & (SLOTS - 1);
        Encoded hit = cache.get(slot);
        if (hit != null && hit.message == message) {
            return hit;
        }
        byte[] body = encodeBody(message.type(), message.payload());
        byte[] id = idLine(SseEventId.encode(new Position[] {message.position()}));
        byte[] event = new byte[id.length + body.length];
        System.arraycopy(id, 0, event, 0, id.length);
        System.arraycopy(body, 0, event, id.length, body.length);
        Encoded encoded = new Encoded(message, body, event, DirectStream.chunk(event));
        cache.set(slot, encoded);
        return encoded;
    }

    /** An event of {@code type} whose data is {@code data}, for Herald's own events. */
    static byte[] control(String type, String data) {
        return encodeBody(type, Payload.utf8(data));
    }

    static byte[] encodeBody(String type, Payload payload) {
        // Sized first, then filled: no stream with a synchronized write per byte. This runs once per message, so at
        // a few messages a second its loops reach the JIT's last tier late, and a small method compiles in a few
        // milliseconds where the per-byte stream writes took the compiler thread ~140 ms on a busy server's core.
        byte[] typeBytes = type != null && !type.isEmpty()
                // A CR or LF in the type would inject fields.
                ? type.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8) : null;
        int size = payload.size();
        int breaks = 0;
        int breakBytes = 0;
        for (int i = 0; i < size; i++) {
            byte b = payload.byteAt(i);
            if (b == '\r' || b == '\n') {
                breaks++;
                breakBytes++;
                if (b == '\r' && i + 1 < size && payload.byteAt(i + 1) == '\n') {
                    breakBytes++;
                    i++;
                }
            }
        }
        int length = (typeBytes == null ? 0 : EVENT.length + typeBytes.length + 1) + DATA.length
                + size - breakBytes + breaks * (1 + DATA.length) + 2;
        byte[] out = new byte[length];
        int at = 0;
        if (typeBytes != null) {
            System.arraycopy(EVENT, 0, out, at, EVENT.length);
            at += EVENT.length;
            System.arraycopy(typeBytes, 0, out, at, typeBytes.length);
            at += typeBytes.length;
            out[at++] = '\n';
        }
        // One data: line per payload line; CRLF, LF and a lone CR all end a line for the client.
        System.arraycopy(DATA, 0, out, at, DATA.length);
        at += DATA.length;
        for (int i = 0; i < size; i++) {
            byte b = payload.byteAt(i);
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < size && payload.byteAt(i + 1) == '\n') {
                    i++;
                }
                out[at++] = '\n';
                System.arraycopy(DATA, 0, out, at, DATA.length);
                at += DATA.length;
            } else {
                out[at++] = b;
            }
        }
        out[at++] = '\n';
        out[at] = '\n';
        return out;
    }

    /** The {@code id:} line. */
    static byte[] idLine(String id) {
        byte[] bytes = new byte[id.length() + 5];
        bytes[0] = 'i';
        bytes[1] = 'd';
        bytes[2] = ':';
        bytes[3] = ' ';
        for (int i = 0; i < id.length(); i++) {
            bytes[4 + i] = (byte) id.charAt(i);
        }
        bytes[bytes.length - 1] = '\n';
        return bytes;
    }
}
