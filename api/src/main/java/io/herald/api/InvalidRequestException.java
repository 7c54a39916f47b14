package io.herald.api;

/**
 * A client asked for something malformed or contradictory that is not about a channel name: a subscription
 * id already in use, an unacked window below 1 (G7). Nothing was changed.
 */
public final class InvalidRequestException extends HeraldException {

    private final String client;

    /** @param client the session or connection the request came from */
    public InvalidRequestException(String client, String message) {
        super(message);
        this.client = client;
    }

    /** The session or connection the request came from. */
    public String client() {
        return client;
    }

    @Override
    public Reason reason() {
        return Reason.INVALID;
    }
}
