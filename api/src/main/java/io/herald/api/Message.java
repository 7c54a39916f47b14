package io.herald.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A published message with its place in the channel's history.
 *
 * <p>Immutable and thread-safe: one instance is shared by every subscriber and every protocol encoder.
 *
 * @param channel the exact channel it was published to
 * @param position its position in that channel; unique and ordered within the epoch (G1)
 * @param id its id: the publisher's or one Herald assigned; never {@code null}
 * @param type its event type, or {@code null} for the default type
 * @param payload the bytes to deliver unchanged
 * @param contentType the payload's media type
 * @param headers extra metadata carried beside the payload
 * @param timestamp when the store accepted it
 */
public record Message(ChannelName channel, Position position, String id, String type, Payload payload,
                      String contentType, Map<String, String> headers, Instant timestamp) {

    public Message {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timestamp, "timestamp");
        contentType = contentType == null ? Publication.JSON : contentType;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /**
     * The message a store makes of {@code publication} at {@code position}.
     *
     * @param id the id to use when the publication has none
     */
    public static Message of(Publication publication, Position position, String id, Instant timestamp) {
        return new Message(publication.channel(), position, publication.id() != null ? publication.id() : id,
                publication.type(), publication.payload(), publication.contentType(), publication.headers(), timestamp);
    }

    /** Shorthand for {@code position().offset()}. */
    public long offset() {
        return position.offset();
    }
}
