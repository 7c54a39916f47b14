package io.herald.api;

/**
 * Root of every exception Herald throws on purpose. Unchecked: no user API declares checked exceptions.
 *
 * <p>Each carries a {@link Reason}, which protocols map to their replies. Subclasses carry what they concern (the channel, the client, the position) so that a log line or a
 * protocol error can name it.
 */
public abstract class HeraldException extends RuntimeException {

    protected HeraldException(String message) {
        super(message);
    }

    protected HeraldException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Why: what every protocol maps to its own reply. */
    public abstract Reason reason();
}
