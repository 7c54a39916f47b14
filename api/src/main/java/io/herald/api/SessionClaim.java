package io.herald.api;

import java.util.Objects;

/**
 * What {@link SessionStore#claim} found or made: the named session and whether this call created it.
 *
 * @param session the session now bound to the name, its expiry extended by the claim
 * @param created {@code true} for the one call that created it, {@code false} for every call that found it
 */
public record SessionClaim(SessionRecord session, boolean created) {

    public SessionClaim {
        Objects.requireNonNull(session, "session");
    }
}
