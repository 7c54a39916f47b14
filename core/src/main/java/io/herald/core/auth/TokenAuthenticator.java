package io.herald.core.auth;

import io.herald.api.AuthenticationException;
import io.herald.api.Authenticator;
import io.herald.api.Credentials;
import io.herald.api.Principal;

/**
 * Requires every client to present a valid {@link HmacTokens} token; the principal is restricted to the
 * channels the token grants. Thread-safe.
 */
public final class TokenAuthenticator implements Authenticator {

    private final HmacTokens tokens;

    public TokenAuthenticator(HmacTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (credentials.token() == null || credentials.token().isEmpty()) {
            throw new AuthenticationException("a token is required");
        }
        return tokens.verify(credentials.token());
    }
}
