package io.herald.bayeux;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;

/**
 * The frames of a socket's text messages joined into each message's UTF-8 bytes, with the checks Jetty's own
 * text sink makes: a message over the size limit fails with {@link MessageTooLargeException} (Jetty closes the
 * socket with 1009), one that is not UTF-8 with {@link BadPayloadException} (1007). Jetty's sink builds a String
 * through a character buffer the size of the session's input buffer (4 KiB) for every message, where a Bayeux
 * frame is mostly a connect of ~200 bytes that the codec parses as bytes anyway: here a message of one frame
 * (nearly all of them) costs one array of its own length, and only a fragmented one is joined.
 *
 * <p>Not thread-safe: for the socket's frames, which Jetty hands over one at a time.
 */
final class TextFrames {

    private final long limit;
    /** The frames so far of a message not finished yet, or null between messages. */
    private byte[] joined;
    private int length;

    /** @param limit the largest message in bytes; 0 or less for none */
    TextFrames(long limit) {
        this.limit = limit;
    }

    /**
     * Adds the payload of one frame of a text message (the first or a continuation; {@code payload} may be null
     * for an empty one) and returns the message's bytes if the frame is its last, else null. The payload is read
     * here and not kept.
     */
    byte[] add(ByteBuffer payload, boolean fin) {
        int n = payload == null ? 0 : payload.remaining();
        if (limit > 0 && length + (long) n > limit) {
            joined = null;
            length = 0;
            throw new MessageTooLargeException("text message too large: more than " + limit + " bytes");
        }
        byte[] message;
        if (joined == null && fin) {
            message = new byte[n];
            if (n > 0) {
                payload.get(message);
            }
        } else {
            if (joined == null) {
                joined = new byte[Math.max(n * 2, 256)];
            } else if (joined.length - length < n) {
                joined = Arrays.copyOf(joined, (int) Math.min(Math.max(joined.length * 2L, length + (long) n), Integer.MAX_VALUE - 8));
            }
            if (n > 0) {
                payload.get(joined, length, n);
                length += n;
            }
            if (!fin) {
                return null;
            }
            message = length == joined.length ? joined : Arrays.copyOf(joined, length);
            joined = null;
            length = 0;
        }
        requireUtf8(message);
        return message;
    }

    /** RFC 6455 8.1: a text message is UTF-8 as a whole (a character may span frames, so it is checked whole). */
    private static void requireUtf8(byte[] message) {
        for (byte b : message) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(message));
                } catch (CharacterCodingException e) {
                    throw new BadPayloadException("text message is not UTF-8");
                }
                return;
            }
        }
    }
}
