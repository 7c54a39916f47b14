package io.herald.http;

import io.herald.api.Reason;

/** The one mapping from a {@link Reason} to an HTTP status, for every HTTP endpoint (SSE, API, cursor). */
public final class HttpRefusals {

    private HttpRefusals() {
    }

    public static int status(Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case UNKNOWN_SESSION -> 404;
            case TOO_LARGE -> 413;
            case STORE_UNAVAILABLE -> 503;
        };
    }
}
