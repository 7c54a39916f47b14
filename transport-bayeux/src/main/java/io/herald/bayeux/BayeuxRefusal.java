package io.herald.bayeux;

/**
 * A request refused as a whole before any of its messages was acted on: the body is not Bayeux at all (not
 * JSON, not objects, no channel), too large, or carries too many messages. Answered with an HTTP status (or a
 * WebSocket close) and a JSON error; nothing changed.
 */
final class BayeuxRefusal extends Exception {

    private final int status;

    BayeuxRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
