package io.herald.stomp;

import io.herald.api.AccessDeniedException;
import io.herald.api.Authorizer;
import io.herald.api.InvalidChannelException;
import io.herald.api.Payload;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.Principal;
import io.herald.api.Publication;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns a SEND frame into a {@link Publication}: the destination's channel, the body unchanged, its
 * {@code content-type} (else {@code text/plain} for UTF-8 text, {@code application/octet-stream} for other
 * bytes), {@code herald-id} as the idempotency id, {@code herald-event} as the event type, and every other
 * header (e.g. {@code persistent}, application headers) passed through to subscribers. {@link #check} makes
 * the engine's refusals up front, so that a transaction is refused at the SEND, not half-applied at COMMIT.
 * Thread-safe.
 */
final class StompPublications {

    /** Frame headers that describe the frame, not the message. */
    private static final Set<String> FRAME = Set.of("destination", "content-length", "content-type", "receipt", "transaction",
            "herald-id", "herald-event", "message-id");

    private final Authorizer authorizer;
    private final long maxPayload;

    StompPublications(Authorizer authorizer, long maxPayload) {
        this.authorizer = authorizer;
        this.maxPayload = maxPayload;
    }

    /**
     * The publication a SEND asks for.
     *
     * @throws StompProtocolException for a missing or wildcard destination, or a {@code message-id} header
     */
    Publication of(StompFrame send) {
        StompDestination destination = StompDestination.parse(send.header("destination"));
        if (destination.isPattern()) {
            throw new StompProtocolException("cannot SEND to the wildcard destination '" + send.header("destination") + "'");
        }
        if (send.header("message-id") != null) {
            throw new StompProtocolException("SEND may not set message-id; the server assigns it");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        send.headers().forEach((name, value) -> {
            if (!FRAME.contains(name)) {
                headers.put(name, value);
            }
        });
        String contentType = send.header("content-type");
        if (contentType == null) {
            contentType = isUtf8(send.body()) ? "text/plain" : "application/octet-stream";
        }
        try {
            return new Publication(destination.channel(), send.header("herald-id"), send.header("herald-event"),
                    Payload.copyOf(send.body()), contentType, headers);
        } catch (RuntimeException e) {
            throw new StompProtocolException("cannot publish to '" + send.header("destination") + "': " + e.getMessage());
        }
    }

    /**
     * Refuses, as the engine would, what {@code principal} may not publish; the store is not asked.
     *
     * @throws io.herald.api.HeraldException the engine's refusal
     */
    void check(Principal principal, Publication publication) {
        if (!publication.channel().isPublishable() || publication.channel().isService()) {
            throw new InvalidChannelException(publication.channel().value(), "reserved channels cannot be published to");
        }
        if (publication.payload().size() > maxPayload) {
            throw new PayloadTooLargeException(publication.channel(), publication.payload().size(), maxPayload);
        }
        if (principal != Principal.SERVER && !authorizer.mayPublish(principal, publication.channel())) {
            throw new AccessDeniedException(principal.name(), publication.channel(), "publish to");
        }
    }

    private static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
