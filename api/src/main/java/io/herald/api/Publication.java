package io.herald.api;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A message before it has a position: what a publisher hands to Herald.
 *
 * @param channel the exact channel to publish to; never a pattern, never under {@code /meta/}
 * @param id the publisher's id for the message, or {@code null} to let Herald assign one
 * @param type the event type (SSE {@code event:}), or {@code null} for the default type; never one of
 *     {@link #RESERVED_TYPES}
 * @param payload the bytes to deliver unchanged
 * @param contentType the payload's media type, e.g. {@code application/json}
 * @param headers extra metadata carried beside the payload (never inside it); may be empty
 */
public record Publication(ChannelName channel, String id, String type, Payload payload, String contentType,
                          Map<String, String> headers) {

    /** Media type of JSON payloads, the default. */
    public static final String JSON = "application/json";

    /**
     * Event types Herald writes itself (the SSE gap notice and the id-only first event). A subscriber could not
     * tell a publisher's message of these types from Herald's own notice, so no publication may carry them,
     * whatever the protocol it came through.
     */
    public static final Set<String> RESERVED_TYPES = Set.of("missedevents", "lastEventId");

    /**
     * @throws InvalidPublicationException if {@code type} is one of {@link #RESERVED_TYPES}
     */
    public Publication {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        if (type != null && RESERVED_TYPES.contains(type)) {
            throw new InvalidPublicationException(channel, "event type '" + type + "' is reserved for Herald's own notices");
        }
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
