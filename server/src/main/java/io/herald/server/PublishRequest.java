package io.herald.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.herald.api.ChannelName;
import io.herald.api.Payload;
import io.herald.api.Publication;
import java.io.IOException;
import java.util.Map;

/**
 * The body of {@code POST /api/publish}: {@code {"channel": "/a/b", "data": <any JSON>, "event": "type?",
 * "id": "id?"}}.
 *
 * <p>{@code data} is kept as the exact bytes the publisher sent (spacing, number spelling and escapes
 * included), cut out of the body by the parser's byte offsets rather than re-serialized, so every subscriber
 * receives it unchanged. {@code event} and {@code id} are 1 to 128 characters of {@code [A-Za-z0-9._:-]}, so
 * they travel in SSE fields and STOMP headers without escaping. Unknown and repeated fields are refused.
 *
 * @param channel the channel, as given (with or without its leading slash)
 * @param data the raw JSON of {@code data}
 * @param event the event type, or {@code null}
 * @param id the publisher's message id, or {@code null}
 */
record PublishRequest(String channel, Payload data, String event, String id) {

    private static final int MAX_DEPTH = 256;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    /** The publication this request asks for. */
    Publication toPublication() {
        return new Publication(ChannelName.lenient(channel), id, event, data, Publication.JSON, Map.of());
    }

    /**
     * Parses a request body.
     *
     * @throws ClientError 400 naming what is wrong: malformed JSON, not an object, a missing, repeated, unknown
     *     or mistyped field
     */
    static PublishRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ClientError.badRequest("request body is empty; expected {\"channel\": ..., \"data\": ...}");
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw ClientError.badRequest("request body must be a JSON object like {\"channel\": ..., \"data\": ...}");
            }
            PublishRequest request = read(parser, body);
            if (parser.nextToken() != null) {
                throw ClientError.badRequest("malformed JSON: unexpected content after the object");
            }
            return request;
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /**
     * Reads one publish object, the parser being at its {@code START_OBJECT}; returns at its {@code END_OBJECT}
     * when it is valid.
     *
     * @throws ClientError 400 naming the first thing wrong with the object, the parser anywhere inside it
     * @throws IOException malformed JSON; see {@link #malformed(IOException)}
     */
    static PublishRequest read(JsonParser parser, byte[] body) throws IOException {
        String channel = null;
        String event = null;
        String id = null;
        Payload data = null;
        int seen = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int field = switch (name) {
                case "channel" -> 1;
                case "event" -> 2;
                case "id" -> 4;
                case "data" -> 8;
                default -> throw ClientError.badRequest("unknown field '" + name + "'; expected channel, data, event, id");
            };
            if ((seen & field) != 0) {
                throw ClientError.badRequest("field '" + name + "' is given twice");
            }
            seen |= field;
            JsonToken value = parser.nextToken();
            switch (field) {
                case 1 -> channel = text(parser, value, name, false);
                case 2 -> event = token(text(parser, value, name, true), name);
                case 4 -> id = token(text(parser, value, name, true), name);
                default -> data = raw(parser, value, body);
            }
        }
        if (channel == null) {
            throw ClientError.badRequest("field 'channel' is missing");
        }
        if (data == null) {
            throw ClientError.badRequest("field 'data' is missing; give any JSON value, e.g. \"data\": {}");
        }
        return new PublishRequest(channel, data, event, id);
    }

    /** The 400 for JSON that does not parse, saying where when the parser knows. */
    static ClientError malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return ClientError.badRequest("malformed JSON: nested deeper than " + MAX_DEPTH + " levels or too large");
        }
        if (e instanceof JsonProcessingException processing) {
            // Jackson's own message names its classes and features; the client needs only where it went wrong.
            return ClientError.badRequest("malformed JSON" + where(processing.getLocation()));
        }
        // Parsing a byte array has no I/O to fail; this is malformed input all the same.
        return ClientError.badRequest("malformed JSON");
    }

    /** A parser over {@code body}, with the API's limits. */
    static JsonParser parser(byte[] body) throws IOException {
        return JSON.createParser(body);
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String text(JsonParser parser, JsonToken value, String name, boolean nullable) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        if (nullable && value == JsonToken.VALUE_NULL) {
            return null;
        }
        throw ClientError.badRequest("field '" + name + "' must be a string" + (nullable ? " or null" : ""));
    }

    private static String token(String value, String name) {
        if (value != null && !isToken(value)) {
            throw ClientError.badRequest("field '" + name + "' must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        return value;
    }

    /** {@code [A-Za-z0-9._:-]{1,128}}, checked by hand: a regular expression cost more than the rest of the parse. */
    private static boolean isToken(String value) {
        int n = value.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of the value the parser is at, from its first byte to its last, after validating all of it. */
    private static Payload raw(JsonParser parser, JsonToken value, byte[] body) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        if (value.isStructStart()) {
            parser.skipChildren();
        } else {
            // Strings are scanned lazily; finishing the token moves the parser past its closing quote.
            parser.finishToken();
        }
        long end = parser.currentLocation().getByteOffset();
        if (start < 0 || end < start) {
            // Byte offsets exist only when the parser reads UTF-8; JSON in another encoding has none.
            throw ClientError.badRequest("request body must be JSON in UTF-8");
        }
        return Payload.copyOf(body, (int) start, (int) (end - start));
    }
}
