package io.herald.bayeux;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Bayeux requests and writes Bayeux responses. A request is a JSON array of message objects (a single
 * object is accepted too, as the spec allows); a response is always an array. Deliveries arrive already
 * encoded ({@link BayeuxDeliveries}) and are copied in as bytes. Thread-safe.
 */
final class BayeuxCodec {

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            // A body within the size limit can still nest deep enough to exhaust a stack: bound it.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build());

    private final int maxBatch;

    BayeuxCodec(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    /**
     * Decodes a request body.
     *
     * @throws BayeuxRefusal (400) for anything that is not an array of objects each with a string channel, or
     *     an empty array, or more than the batch limit
     */
    List<BayeuxMessage> decode(byte[] body) throws BayeuxRefusal {
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(body)) {
            root = MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                throw new BayeuxRefusal(400, "malformed JSON: trailing content after the messages");
            }
        } catch (JsonProcessingException e) {
            throw new BayeuxRefusal(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BayeuxRefusal(400, "unreadable body: " + e.getMessage());
        }
        return messages(root);
    }

    /** Decodes a request given as text (form field, JSONP query, WebSocket frame). */
    List<BayeuxMessage> decode(String text) throws BayeuxRefusal {
        return decode(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private List<BayeuxMessage> messages(JsonNode root) throws BayeuxRefusal {
        if (root == null || root.isMissingNode()) {
            throw new BayeuxRefusal(400, "empty body: expected a JSON array of Bayeux messages");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (root.isArray()) {
            if (root.size() > maxBatch) {
                throw new BayeuxRefusal(400, "a request may carry at most " + maxBatch + " messages, this one has " + root.size());
            }
            root.forEach(nodes::add);
        } else {
            nodes.add(root);
        }
        if (nodes.isEmpty()) {
            throw new BayeuxRefusal(400, "no messages: expected a JSON array of Bayeux messages");
        }
        List<BayeuxMessage> messages = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            if (!(node instanceof ObjectNode object)) {
                throw new BayeuxRefusal(400, "message " + i + " is not a JSON object");
            }
            JsonNode channel = object.get("channel");
            if (channel == null || !channel.isTextual() || channel.asText().isEmpty()) {
                throw new BayeuxRefusal(400, "message " + i + " has no channel");
            }
            messages.add(new BayeuxMessage(object));
        }
        return messages;
    }

    /**
     * The response array: the replies, in order, then the deliveries. Sized exactly and copied once: a connect
     * reply with a batch of deliveries is written per connect cycle with acks, up to 64 KiB each.
     */
    static byte[] encode(List<ObjectNode> replies, List<byte[]> deliveries) {
        return encode(replies, deliveries, 0);
    }

    /**
     * As {@link #encode(List, List)}, the array starting after {@code room} bytes left free (for a WebSocket frame
     * header, {@link BayeuxSocketWriter}), so that a frame is built in one array.
     */
    static byte[] encode(List<ObjectNode> replies, List<byte[]> deliveries, int room) {
        byte[][] encodedReplies = new byte[replies.size()][];
        int size = 2 + Math.max(0, replies.size() + deliveries.size() - 1);
        try {
            for (int i = 0; i < encodedReplies.length; i++) {
                encodedReplies[i] = MAPPER.writeValueAsBytes(replies.get(i));
                size += encodedReplies[i].length;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reply cannot be serialized", e);
        }
        for (byte[] d : deliveries) {
            size += d.length;
        }
        byte[] out = new byte[room + size];
        out[room] = '[';
        int first = room + 1;
        int at = first;
        for (byte[] reply : encodedReplies) {
            at = append(out, at, first, reply);
        }
        for (byte[] delivery : deliveries) {
            at = append(out, at, first, delivery);
        }
        out[at] = ']';
        return out;
    }

    /** Copies {@code part} into {@code out} at {@code at}, after a comma unless it is the first element (at {@code first}). */
    private static int append(byte[] out, int at, int first, byte[] part) {
        if (at > first) {
            out[at++] = ',';
        }
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    /** {@code reply} as JSON bytes, to keep while it waits ({@link #objects} reads it back). */
    static byte[] tree(ObjectNode reply) {
        try {
            return MAPPER.writeValueAsBytes(reply);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reply cannot be serialized", e);
        }
    }

    /** {@code replies} as a JSON array, to keep while they wait ({@link #objects} reads them back). */
    static byte[] tree(List<ObjectNode> replies) {
        return encode(replies, List.of());
    }

    /** The objects of {@link #tree}'s bytes: the one object, or the array's, in order; each a fresh tree. */
    static List<ObjectNode> objects(byte[] json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root instanceof ObjectNode object) {
                return List.of(object);
            }
            List<ObjectNode> objects = new ArrayList<>(root.size());
            root.forEach(node -> objects.add((ObjectNode) node));
            return objects;
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("kept replies cannot be read back: " + new String(json, java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }
}
