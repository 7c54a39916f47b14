package io.herald.client;

/**
 * Where a {@link HeraldClient} stands. The usual life: {@code CONNECTING -> CONNECTED}, then any number of
 * {@code RECONNECTING -> CONNECTED} when links drop, and finally {@code STOPPED} ({@link HeraldClient#stop()}:
 * the session lives on in the server) or {@code DISCONNECTED} ({@link HeraldClient#disconnect()}, or the server
 * told the client not to come back).
 */
public enum ConnectionState {
    /** Not started yet. */
    NEW,
    /** Opening the first link and handshaking. */
    CONNECTING,
    /** Handshaken and receiving. */
    CONNECTED,
    /** The link dropped (or the server asked for a new handshake); waiting out the backoff or re-handshaking. */
    RECONNECTING,
    /** Stopped by the application; the session stays alive on the server until its TTL. */
    STOPPED,
    /** The session ended: {@link HeraldClient#disconnect()}, or the server's advice {@code reconnect: none}. */
    DISCONNECTED
}
