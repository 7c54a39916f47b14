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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
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
            String channel = null;
            String event = null;
            String id = null;
            Payload data = null;
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (!seen.add(name)) {
                    throw ClientError.badRequest("field '" + name + "' is given twice");
                }
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "channel" -> channel = text(parser, value, name, false);
                    case "event" -> event = token(text(parser, value, name, true), name);
                    case "id" -> id = token(text(parser, value, name, true), name);
                    case "data" -> data = raw(parser, value, body);
                    default -> throw ClientError.badRequest("unknown field '" + name
                            + "'; expected channel, data, event, id");
                }
            }
            if (parser.nextToken() != null) {
                throw ClientError.badRequest("malformed JSON: unexpected content after the object");
            }
            if (channel == null) {
                throw ClientError.badRequest("field 'channel' is missing");
            }
            if (data == null) {
                throw ClientError.badRequest("field 'data' is missing; give any JSON value, e.g. \"data\": {}");
            }
            return new PublishRequest(channel, data, event, id);
        } catch (StreamConstraintsException e) {
            throw ClientError.badRequest("malformed JSON: nested deeper than " + MAX_DEPTH + " levels or too large");
        } catch (JsonProcessingException e) {
            // Jackson's own message names its classes and features; the client needs only where it went wrong.
            throw ClientError.badRequest("malformed JSON" + where(e.getLocation()));
        } catch (IOException e) {
            // Parsing a byte array has no I/O to fail; this is malformed input all the same.
            throw ClientError.badRequest("malformed JSON");
        }
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
        if (value != null && !TOKEN.matcher(value).matches()) {
            throw ClientError.badRequest("field '" + name + "' must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        return value;
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
