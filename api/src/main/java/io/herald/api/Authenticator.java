package io.herald.api;

/**
 * Turns what a client presented into a {@link Principal}. Called once per connection or request, on a
 * transport thread; thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Authenticates {@code credentials}.
     *
     * @return the principal; {@link Principal#ANONYMOUS} when nothing was presented and that is allowed
     * @throws AuthenticationException when credentials are required but missing, or are invalid
     */
    Principal authenticate(Credentials credentials);

    /** Accepts everyone as {@link Principal#ANONYMOUS}. */
    Authenticator ANONYMOUS = credentials -> Principal.ANONYMOUS;
}
