package io.herald.bayeux;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encodes what Bayeux clients receive from channels: a message becomes
 * {@code {"channel":"/a/b","data":<payload>,"id":"<message id>","ext":{"herald":{"position":"<epoch>:<offset>"}}}}.
 * The bytes are the same for every subscriber, so they are encoded once per message and shared through a cache
 * of recent messages, keyed by channel and position (a history replay of a message hits as the live copy does).
 * Consecutive positions of a channel take consecutive slots, so subscribers spread over the last {@value #SLOTS}
 * messages of a channel (clients lagging by different amounts) all hit; keyed by identity hash, two live
 * messages in one slot evicted each other and were encoded again and again. Each channel's run of slots starts at
 * its name's hash spread over the table (Fibonacci hashing): started at the plain hash, channels whose names differ
 * only in their last character (chat rooms {@code /chat/1}, {@code /chat/2}, ...) had neighbouring starts, so
 * message n+1 of one room took the slot of message n of the next, and rooms published together evicted each
 * other's messages while their members were still being written them (the chat shape of 20 rooms re-encoded most
 * messages several times).
 *
 * <p>A JSON payload is embedded as it is; any other payload (or one labelled JSON that does not parse) travels
 * as a JSON string, so one bad publish cannot break the response arrays of every subscriber.
 *
 * <p>A {@link Gap} becomes a message on the channel (or pattern) it concerns whose {@code data} is the JSON of
 * SSE's {@code missedevents} event, {@code {"missed":[{"channel","after","firstAvailable","count","reset"}]}},
 * marked {@code ext.herald.missedevents: true}; both Faye and CometD hand it to the subscription's callback
 * like any message. Thread-safe.
 */
final class BayeuxDeliveries {

    static final int SLOTS = 1024;
    /** Keeps the top bits of a spread hash: log2 of {@link #SLOTS}. */
    private static final int SLOT_SHIFT = Integer.SIZE - Integer.numberOfTrailingZeros(SLOTS);

    private record Encoded(Message message, byte[] bytes) {
    }

    private final AtomicReferenceArray<Encoded> cache = new AtomicReferenceArray<>(SLOTS);

    /** The shared bytes of {@code message}; never modify them. */
    byte[] message(Message message) {
        int slot = (start(message.channel()) + (int) message.offset()) & (SLOTS - 1);
        Encoded hit = cache.get(slot);
        if (hit != null && (hit.message == message || (hit.message.position().equals(message.position())
                && hit.message.channel().equals(message.channel())))) {
            return hit.bytes;
        }
        byte[] bytes = encode(message);
        cache.set(slot, new Encoded(message, bytes));
        return bytes;
    }

    /** Where {@code channel}'s run of slots starts: its hash times 2^32 / golden ratio, top bits. */
    static int start(io.herald.api.ChannelName channel) {
        return (channel.hashCode() * 0x9E3779B9) >>> SLOT_SHIFT;
    }

    private static byte[] encode(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.payload().size() + 128);
        try (JsonGenerator json = BayeuxCodec.MAPPER.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("channel", message.channel().value());
            json.writeFieldName("data");
            byte[] payload = message.payload().toByteArray();
            if (isJson(message.contentType(), payload)) {
                json.writeRawValue(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
            } else {
                json.writeString(message.payload().utf8());
            }
            if (message.id() != null) {
                json.writeStringField("id", message.id());
            }
            json.writeObjectFieldStart("ext");
            json.writeObjectFieldStart("herald");
            json.writeStringField("position", message.position().toString());
            if (message.type() != null) {
                json.writeStringField("event", message.type());
            }
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Whether {@code payload} is labelled JSON and is exactly one JSON value. */
    private static boolean isJson(String contentType, byte[] payload) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).contains("json") || payload.length == 0) {
            return false;
        }
        try (JsonParser parser = BayeuxCodec.MAPPER.createParser(payload)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** A gap notice, as described above. */
    static byte[] gap(Gap gap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = BayeuxCodec.MAPPER.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("channel", gap.channel().value());
            json.writeObjectFieldStart("data");
            json.writeArrayFieldStart("missed");
            json.writeStartObject();
            json.writeStringField("channel", gap.channel().value());
            writeNullable(json, "after", gap.after());
            json.writeNumberField("firstAvailable", gap.firstAvailable());
            writeNullable(json, "count", gap.missed());
            json.writeBooleanField("reset", gap.reset());
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
            json.writeObjectFieldStart("ext");
            json.writeObjectFieldStart("herald");
            json.writeBooleanField("missedevents", true);
            Position resumeAfter = gap.resumeAfter();
            if (resumeAfter != null) {
                json.writeStringField("position", resumeAfter.toString());
            }
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeNullable(JsonGenerator json, String field, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }

}
