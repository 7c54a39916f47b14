package io.herald.api;

/** Credentials were presented but are not valid: a malformed, forged or expired token. */
public final class AuthenticationException extends HeraldException {

    public AuthenticationException(String message) {
        super(message);
    }

    @Override
    public Reason reason() {
        return Reason.UNAUTHENTICATED;
    }
}
