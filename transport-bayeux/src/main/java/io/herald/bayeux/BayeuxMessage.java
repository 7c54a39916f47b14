package io.herald.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Bayeux message as a client sent it: a JSON object with a {@code channel} (checked by
 * {@link BayeuxCodec}) and the fields the protocol gives meaning to. Wraps the Jackson node, which extensions
 * may have changed; not thread-safe, like the node.
 */
final class BayeuxMessage {

    static final String HANDSHAKE = "/meta/handshake";
    static final String CONNECT = "/meta/connect";
    static final String SUBSCRIBE = "/meta/subscribe";
    static final String UNSUBSCRIBE = "/meta/unsubscribe";
    static final String DISCONNECT = "/meta/disconnect";

    private final ObjectNode node;

    BayeuxMessage(ObjectNode node) {
        this.node = node;
    }

    ObjectNode node() {
        return node;
    }

    String channel() {
        return node.path("channel").asText();
    }

    boolean isMeta() {
        return channel().startsWith("/meta/");
    }

    /** The message id, echoed as given (a string for both Faye and CometD); {@code null} when absent. */
    JsonNode id() {
        JsonNode id = node.get("id");
        return id == null || id.isNull() ? null : id;
    }

    /** The client id as a string, or {@code null} when absent or not a string. */
    String clientId() {
        JsonNode id = node.get("clientId");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    JsonNode data() {
        return node.get("data");
    }

    /** {@code ext}, or a missing node. */
    JsonNode ext() {
        return node.path("ext");
    }

    /** {@code ext.herald}, Herald's own namespace, or a missing node. */
    JsonNode heraldExt() {
        return ext().path("herald");
    }

    JsonNode advice() {
        return node.path("advice");
    }

    JsonNode subscription() {
        return node.get("subscription");
    }

    /** A reply to this message: its channel and id, nothing else yet. */
    ObjectNode reply() {
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        reply.put("channel", channel());
        JsonNode id = id();
        if (id != null) {
            reply.set("id", id);
        }
        return reply;
    }

    /** An unsuccessful reply carrying {@code error}. */
    ObjectNode failure(String error) {
        ObjectNode reply = reply();
        String clientId = clientId();
        if (clientId != null) {
            reply.put("clientId", clientId);
        }
        reply.put("successful", false);
        reply.put("error", error);
        return reply;
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
