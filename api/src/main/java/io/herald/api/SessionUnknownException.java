package io.herald.api;

/** A session id that does not exist or has expired. */
public final class SessionUnknownException extends HeraldException {

    private final String sessionId;

    public SessionUnknownException(String sessionId) {
        super("unknown or expired session '" + sessionId + "'");
        this.sessionId = sessionId;
    }

    public String sessionId() {
        return sessionId;
    }

    @Override
    public Reason reason() {
        return Reason.UNKNOWN_SESSION;
    }
}
