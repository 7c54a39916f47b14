package io.herald.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A durable session as a {@link SessionStore} holds it: the identity a client keeps across connections (G3).
 *
 * @param id the session id the client presents to resume
 * @param principal the name of the principal that created it
 * @param createdAt when it was created
 * @param expiresAt when it expires unless touched again
 * @param subscriptions its subscriptions, keyed by {@link SessionSubscription#key()}
 */
public record SessionRecord(String id, String principal, Instant createdAt, Instant expiresAt,
                            Map<String, SessionSubscription> subscriptions) {

    public SessionRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        subscriptions = subscriptions == null ? Map.of() : Map.copyOf(subscriptions);
    }
}
