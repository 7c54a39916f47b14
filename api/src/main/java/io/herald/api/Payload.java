package io.herald.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a publisher sent, delivered unchanged to every subscriber.
 *
 * <p>Immutable: the bytes are copied once when the payload is created and never handed out writable, so one
 * instance can be shared by every subscriber and every protocol encoder. Thread-safe.
 */
public final class Payload {

    private static final Payload EMPTY = new Payload(new byte[0]);

    private final byte[] bytes;
    private int hash;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A payload holding a copy of {@code bytes}. */
    public static Payload copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Payload(bytes.clone());
    }

    /** A payload holding a copy of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static Payload copyOf(byte[] bytes, int offset, int length) {
        return length == 0 ? EMPTY : new Payload(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** A payload holding {@code text} as UTF-8. */
    public static Payload utf8(String text) {
        return text.isEmpty() ? EMPTY : new Payload(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The empty payload. */
    public static Payload empty() {
        return EMPTY;
    }

    /** Length in bytes. */
    public int size() {
        return bytes.length;
    }

    /** A fresh copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** A read-only view of the bytes, positioned at 0; no copy. */
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The bytes decoded as UTF-8. */
    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The byte at {@code index}, for encoders that scan without copying. */
    public byte byteAt(int index) {
        return bytes[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return bytes.length <= 64 ? utf8() : new String(bytes, 0, 64, StandardCharsets.UTF_8) + "...(" + bytes.length + " bytes)";
    }
}
