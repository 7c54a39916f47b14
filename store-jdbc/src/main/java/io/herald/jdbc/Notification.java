package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The text of a PostgreSQL NOTIFY for one message. A message whose text fits under the limit
 * ({@value #LIMIT} bytes, below PostgreSQL's 8000) travels whole; a larger one travels as its channel and
 * position only, and the listener fetches it from the message table by position. Fields are base64url, so the
 * text has no separator or NUL in it. Stateless.
 */
final class Notification {

    static final int LIMIT = 7900;
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private Notification() {
    }

    /** A message, or the channel and position of one to fetch. */
    record Received(Message message, ChannelName channel, Position position) {
    }

    static String encode(Message m) {
        String whole = "m." + text(m.channel().toString()) + "." + m.position().epoch() + "." + m.offset() + "." + text(m.id()) + "."
                + (m.type() == null ? "~" : text(m.type())) + "." + text(m.contentType()) + "." + m.timestamp().getEpochSecond() + "."
                + m.timestamp().getNano() + "." + ENC.encodeToString(m.headers().isEmpty() ? new byte[0] : Blobs.map(m.headers())) + "."
                + ENC.encodeToString(m.payload().toByteArray());
        if (whole.length() <= LIMIT) {
            return whole;
        }
        return "r." + text(m.channel().toString()) + "." + m.position().epoch() + "." + m.offset();
    }

    static Received decode(String text) {
        String[] f = text.split("\\.", -1);
        ChannelName channel = ChannelName.of(untext(f[1]));
        Position position = new Position(f[2], Long.parseLong(f[3]));
        if (f[0].equals("r")) {
            return new Received(null, channel, position);
        }
        byte[] headers = DEC.decode(f[9]);
        Message m = new Message(channel, position, untext(f[4]), f[5].equals("~") ? null : untext(f[5]),
                Payload.copyOf(DEC.decode(f[10])), untext(f[6]), Blobs.map(headers),
                Instant.ofEpochSecond(Long.parseLong(f[7]), Long.parseLong(f[8])));
        return new Received(m, channel, position);
    }

    private static String text(String s) {
        return ENC.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String untext(String s) {
        return new String(DEC.decode(s), StandardCharsets.UTF_8);
    }
}
