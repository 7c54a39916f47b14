package io.herald.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** How the API writes Herald's values as JSON, the same way in every endpoint. */
final class Json {

    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** {@code "name": {"epoch": ..., "offset": ...}}. */
    static void position(JsonGenerator json, String name, Position position) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeStringField("epoch", position.epoch());
        json.writeNumberField("offset", position.offset());
        json.writeEndObject();
    }

    /**
     * {@code {"id", "channel", "position", "event", "data", "timestamp"}}, plus {@code contentType} when the
     * payload is not JSON and {@code headers} when there are any. A JSON payload is embedded as the very
     * bytes published; any other payload, or one labelled JSON that does not parse, as a string.
     */
    static void message(JsonGenerator json, Message message) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", message.id());
        json.writeStringField("channel", message.channel().value());
        position(json, "position", message.position());
        json.writeStringField("event", message.type());
        json.writeFieldName("data");
        boolean labelledJson = isJsonType(message.contentType());
        if (labelledJson && isOneJsonValue(message.payload())) {
            json.writeRawValue(message.payload().utf8());
        } else {
            json.writeString(message.payload().utf8());
        }
        if (!labelledJson) {
            json.writeStringField("contentType", message.contentType());
        }
        if (!message.headers().isEmpty()) {
            json.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> header : message.headers().entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
        }
        json.writeStringField("timestamp", message.timestamp().toString());
        json.writeEndObject();
    }

    /** {@code "name": null} or {@code "name": {"after", "firstAvailable", "missed", "reset"}}. */
    static void gap(JsonGenerator json, String name, Gap gap) throws IOException {
        if (gap == null) {
            json.writeNullField(name);
            return;
        }
        json.writeObjectFieldStart(name);
        nullableNumber(json, "after", gap.after());
        json.writeNumberField("firstAvailable", gap.firstAvailable());
        nullableNumber(json, "missed", gap.missed());
        json.writeBooleanField("reset", gap.reset());
        json.writeEndObject();
    }

    private static void nullableNumber(JsonGenerator json, String name, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }

    static boolean isJsonType(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return type.equals(Publication.JSON) || type.endsWith("+json");
    }

    /**
     * Whether {@code payload} is exactly one well-formed JSON value, so it can be embedded raw without
     * breaking the document around it (another protocol may have labelled a payload JSON that is not).
     */
    static boolean isOneJsonValue(Payload payload) {
        if (payload.size() == 0) {
            return false;
        }
        try (JsonParser parser = FACTORY.createParser(payload.toByteArray())) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
