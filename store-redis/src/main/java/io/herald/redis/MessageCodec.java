package io.herald.redis;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary form of a message in Redis. Thread-safe (stateless).
 *
 * <p>The <b>body</b> is what a publication brings, made once in Java and stored as is by the append script:
 * <pre>
 *   version (1 byte, 1) | flags (1 byte: 1 = id present, 2 = type present)
 *   [id] [type] contentType | header count | (name value)* | payload (all remaining bytes)
 * </pre>
 * where each string is a varint length and UTF-8 bytes. The payload is never transformed, so any bytes
 * round-trip. The position and timestamp are not in the body: the stream entry id carries them in history,
 * and the pub/sub <b>frame</b> is {@code <epoch>\n<offset>\n<timestamp ms>\n<body>}.
 *
 * <p>A message without the publisher's id gets {@code <epoch>.<offset in base 36>}, unique because epochs
 * are drawn at random per channel history.
 */
final class MessageCodec {

    private static final int VERSION = 1;
    private static final int HAS_ID = 1;
    private static final int HAS_TYPE = 2;

    private MessageCodec() {
    }

    /** The body of {@code publication}. */
    static byte[] body(Publication publication) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + publication.payload().size());
        out.write(VERSION);
        out.write((publication.id() != null ? HAS_ID : 0) | (publication.type() != null ? HAS_TYPE : 0));
        if (publication.id() != null) {
            writeString(out, publication.id());
        }
        if (publication.type() != null) {
            writeString(out, publication.type());
        }
        writeString(out, publication.contentType());
        writeVarint(out, publication.headers().size());
        for (Map.Entry<String, String> header : publication.headers().entrySet()) {
            writeString(out, header.getKey());
            writeString(out, header.getValue());
        }
        byte[] payload = publication.payload().toByteArray();
        out.write(payload, 0, payload.length);
        return out.toByteArray();
    }

    /**
     * The message a body stands for at {@code position}.
     *
     * @throws IllegalArgumentException if the body is not one this codec made
     */
    static Message decode(ChannelName channel, Position position, Instant timestamp, byte[] body) {
        return decode(channel, position, timestamp, body, 0);
    }

    /**
     * The message in a pub/sub frame.
     *
     * @throws IllegalArgumentException if the frame is malformed
     */
    static Message decodeFrame(ChannelName channel, byte[] frame) {
        int first = indexOf(frame, 0);
        int second = indexOf(frame, first + 1);
        int third = indexOf(frame, second + 1);
        String epoch = new String(frame, 0, first, StandardCharsets.US_ASCII);
        long offset = parseLong(frame, first + 1, second);
        long millis = parseLong(frame, second + 1, third);
        return decode(channel, new Position(epoch, offset), Instant.ofEpochMilli(millis), frame, third + 1);
    }

    /**
     * The pub/sub frame of a message positioned elsewhere (another store's), as {@link RedisBroker#publish}
     * sends it; its id always travels in the body, since another store makes ids its own way.
     */
    static byte[] frame(Message message) {
        Position position = message.position();
        byte[] head = (position.epoch() + "\n" + position.offset() + "\n" + message.timestamp().toEpochMilli() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = body(new Publication(message.channel(), message.id(), message.type(), message.payload(),
                message.contentType(), message.headers()));
        byte[] frame = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, frame, head.length, body.length);
        return frame;
    }

    /** The id of a message published without one. */
    static String generatedId(Position position) {
        return position.epoch() + "." + Long.toString(position.offset(), 36);
    }

    private static Message decode(ChannelName channel, Position position, Instant timestamp, byte[] bytes, int start) {
        Reader in = new Reader(bytes, start);
        int version = in.readByte();
        if (version != VERSION) {
            throw new IllegalArgumentException("message " + position + " of " + channel + " has unknown encoding version " + version);
        }
        int flags = in.readByte();
        String id = (flags & HAS_ID) != 0 ? in.readString() : generatedId(position);
        String type = (flags & HAS_TYPE) != 0 ? in.readString() : null;
        String contentType = in.readString();
        int headerCount = in.readVarint();
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerCount; i++) {
            headers.put(in.readString(), in.readString());
        }
        Payload payload = Payload.copyOf(bytes, in.position, bytes.length - in.position);
        return new Message(channel, position, id, type, payload, contentType, headers, timestamp);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("truncated message frame");
    }

    private static long parseLong(byte[] bytes, int from, int to) {
        if (from >= to || to - from > 19) {
            throw new IllegalArgumentException("malformed number in a message frame");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IllegalArgumentException("malformed number in a message frame");
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeVarint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        int v = value;
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /** Sequential reads with bounds checks that say what is wrong. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        int readByte() {
            if (position >= bytes.length) {
                throw new IllegalArgumentException("truncated message body");
            }
            return bytes[position++] & 0xff;
        }

        int readVarint() {
            int value = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                int b = readByte();
                value |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    if (value < 0) {
                        break;
                    }
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed length in a message body");
        }

        String readString() {
            int length = readVarint();
            if (length > bytes.length - position) {
                throw new IllegalArgumentException("truncated string in a message body");
            }
            String text = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return text;
        }
    }
}
