package io.herald.bench.load.bayeux;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * The load client's cheap read of what most frames are under load, in one streaming pass without a tree or a
 * string per message: deliveries on the client's channel (their data's {@code seq}), and with acks at most one
 * successful {@code /meta/connect} reply among them (its {@code ext.ack} batch). A frame holding anything else
 * (another channel, an unsuccessful or other reply, a field it cannot read so) is not taken, and the client's
 * tree path reads it as it always did, so a frame is never handled in part twice; the checks are the tree path's.
 * One scan per client; not thread-safe.
 */
final class BayeuxFrameScan {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String CONNECT = "/meta/connect";

    private final String channel;
    private long[] seqs = new long[16];
    private int deliveries;
    private boolean connectReply;
    private long ackBatch;

    /** @param channel the one channel the client is subscribed to */
    BayeuxFrameScan(String channel) {
        this.channel = channel;
    }

    /** Reads {@code text}; whether it was only what this scan takes (then the accessors describe it). */
    boolean read(String text) {
        deliveries = 0;
        connectReply = false;
        ackBatch = -1;
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return false;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
                if (!message(parser)) {
                    return false;
                }
            }
            return token == JsonToken.END_ARRAY && parser.nextToken() == null && (deliveries > 0 || connectReply);
        } catch (IOException e) {
            return false; // the tree path reports malformed JSON
        }
    }

    /** One message of the frame, the parser at its start; whether it is one this scan takes. */
    private boolean message(JsonParser parser) throws IOException {
        boolean onChannel = false;
        boolean connect = false;
        boolean successful = false;
        long seq = -1;
        long ack = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName(); // interned by Jackson's symbol table: no copy per message
            JsonToken value = parser.nextToken();
            switch (field) {
                case "channel" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return false;
                    }
                    onChannel = sameText(parser, channel);
                    connect = !onChannel && sameText(parser, CONNECT);
                    if (!onChannel && !connect) {
                        return false;
                    }
                }
                case "data" -> {
                    seq = numberField(parser, value, "seq");
                    if (seq < 0) {
                        return false;
                    }
                }
                case "successful" -> {
                    if (value != JsonToken.VALUE_TRUE) {
                        return false; // a refusal: the tree path reports it
                    }
                    successful = true;
                }
                case "ext" -> {
                    ack = numberField(parser, value, "ack");
                    if (ack == -2) {
                        return false;
                    }
                }
                case "error" -> {
                    return false;
                }
                default -> parser.skipChildren();
            }
        }
        if (connect) {
            if (!successful || seq >= 0 || connectReply) {
                return false; // a connect with data, or two replies in one frame: not this scan's case
            }
            connectReply = true;
            ackBatch = ack;
            return true;
        }
        if (!onChannel || seq < 0 || successful) {
            return false;
        }
        if (deliveries == seqs.length) {
            seqs = Arrays.copyOf(seqs, deliveries * 2);
        }
        seqs[deliveries++] = seq;
        return true;
    }

    /** The deliveries of the frame last read, in frame order. */
    int deliveries() {
        return deliveries;
    }

    long seq(int i) {
        return seqs[i];
    }

    /** Whether the frame last read held a successful {@code /meta/connect} reply. */
    boolean connectReply() {
        return connectReply;
    }

    /** That reply's {@code ext.ack} batch, -1 when it had none. */
    long ackBatch() {
        return ackBatch;
    }

    /** Whether the parser's current string token is {@code expected}, compared in place. */
    private static boolean sameText(JsonParser parser, String expected) throws IOException {
        int length = parser.getTextLength();
        if (length != expected.length()) {
            return false;
        }
        char[] chars = parser.getTextCharacters();
        int offset = parser.getTextOffset();
        for (int i = 0; i < length; i++) {
            if (chars[offset + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The whole number field {@code name} of the object the parser is at ({@code value} its first token), its
     * other fields skipped: -1 when it is not an object or has no such field, -2 when the field is there but not a
     * whole number (then the tree path decides).
     */
    private static long numberField(JsonParser parser, JsonToken value, String name) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return -1;
        }
        long number = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken v = parser.nextToken();
            if (!field.equals(name)) {
                parser.skipChildren();
            } else if (v != JsonToken.VALUE_NUMBER_INT) {
                parser.skipChildren();
                number = -2;
            } else if (number == -1) {
                number = parser.getLongValue();
            }
        }
        return number;
    }
}
