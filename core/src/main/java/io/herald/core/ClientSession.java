package io.herald.core;

import io.herald.api.Principal;
import io.herald.api.SessionRecord;
import java.util.Objects;

/**
 * A client's identity across its connections (G3): an id, the principal it belongs to and, when durable, the
 * record in the {@link io.herald.api.SessionStore} that keeps its subscriptions, cursors and unacked windows
 * after the connection is gone, for the session TTL, on any node sharing the store.
 *
 * <p>An ephemeral session (a plain SSE stream) lives exactly as long as its one connection and never touches
 * the store. Get sessions from {@link SessionService}. Immutable.
 *
 * @param id the session id the client presents to resume
 * @param principal who the session belongs to
 * @param durable whether the session is kept in the store
 * @param record what the store held when the session was opened or resumed; {@code null} when ephemeral
 */
public record ClientSession(String id, Principal principal, boolean durable, SessionRecord record) {

    public ClientSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(principal, "principal");
        if (durable != (record != null)) {
            throw new IllegalArgumentException("session " + id + ": a durable session has a stored record, an ephemeral one none");
        }
    }
}
