package io.herald.api;

/**
 * Why Herald refused or failed an operation, defined once for every protocol. Each {@link HeraldException}
 * carries one; each protocol maps a reason to its reply in one place (an HTTP status, an SSE refusal, a
 * STOMP {@code ERROR}, a Bayeux error string), so that handlers never inspect exception classes.
 */
public enum Reason {
    /** Malformed input: a bad channel name, a reserved channel or event name, a bad frame (G7). */
    INVALID,
    /** Missing or bad credentials (token, API key). */
    UNAUTHENTICATED,
    /** The principal may not do this on this channel. */
    FORBIDDEN,
    /** A payload or frame over its configured limit. */
    TOO_LARGE,
    /** A session id that is unknown or expired. */
    UNKNOWN_SESSION,
    /** The store or broker cannot be reached; nothing was changed, the client may retry. */
    STORE_UNAVAILABLE
}
