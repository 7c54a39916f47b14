package io.herald.sse;

/** A request the SSE endpoint answers with an HTTP error and no stream; nothing was subscribed. */
final class SseRefusal extends Exception {

    private final int status;

    SseRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
