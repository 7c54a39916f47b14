package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ChannelName;
import io.herald.api.Position;
import java.util.Objects;

/**
 * A message as a handler receives it: the concrete channel it was published to (also when it arrived through a
 * wildcard subscription), its position (null only from a server that gives none, such as a plain Bayeux
 * server), the message id, its data as published, and whether it is delivered again after its handler threw
 * in acknowledged mode.
 */
public record ClientMessage(ChannelName channel, Position position, String id, JsonNode data, boolean redelivered) {

    public ClientMessage {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(data, "data");
    }

    /** The data as JSON text. */
    public String json() {
        return data.toString();
    }
}
