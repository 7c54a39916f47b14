package io.herald.api;

/**
 * What a client presented to prove who it is, in a protocol-neutral form.
 *
 * @param token a bearer token (SSE {@code ?token=} or {@code Authorization: Bearer}, STOMP {@code passcode},
 *     Bayeux {@code ext.token}), or {@code null} when none was presented
 * @param remoteAddress the client's address, for logs
 */
public record Credentials(String token, String remoteAddress) {

    /** No credentials at all. */
    public static final Credentials NONE = new Credentials(null, null);
}
