package io.herald.server;

/**
 * A request the API refuses: thrown by endpoint code, answered by {@link JsonHandler} as a JSON error with
 * {@link #status()} and logged as one line, never with a stack trace.
 */
final class ClientError extends RuntimeException {

    private final int status;

    ClientError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ClientError badRequest(String message) {
        return new ClientError(400, message);
    }

    int status() {
        return status;
    }
}
