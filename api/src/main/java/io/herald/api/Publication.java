package io.herald.api;

import java.util.Map;
import java.util.Objects;

/**
 * A message before it has a position: what a publisher hands to Herald.
 *
 * @param channel the exact channel to publish to; never a pattern, never under {@code /meta/}
 * @param id the publisher's id for the message, or {@code null} to let Herald assign one
 * @param type the event type (SSE {@code event:}), or {@code null} for the default type
 * @param payload the bytes to deliver unchanged
 * @param contentType the payload's media type, e.g. {@code application/json}
 * @param headers extra metadata carried beside the payload (never inside it); may be empty
 */
public record Publication(ChannelName channel, String id, String type, Payload payload, String contentType,
                          Map<String, String> headers) {

    /** Media type of JSON payloads, the default. */
    public static final String JSON = "application/json";

    public Publication {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        contentType = contentType == null ? JSON : contentType;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A JSON publication with no id, type or headers. */
    public static Publication json(ChannelName channel, String json) {
        return new Publication(channel, null, null, Payload.utf8(json), JSON, Map.of());
    }

    /** This publication with another id. */
    public Publication withId(String newId) {
        return new Publication(channel, newId, type, payload, contentType, headers);
    }
}
