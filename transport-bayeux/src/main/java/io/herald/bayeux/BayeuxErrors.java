package io.herald.bayeux;

import io.herald.api.HeraldException;
import io.herald.api.Reason;

/**
 * Bayeux error strings, {@code code:args:message} (the grammar Faye's client parses), and the one place a
 * {@link Reason} becomes a Bayeux code: 400 invalid, 401 unauthenticated, 402 unknown session, 403 forbidden,
 * 405 invalid channel, 413 too large, 503 store unavailable.
 */
final class BayeuxErrors {

    /** What CometD's server answers for an unknown or expired client id, which both clients act on. */
    static final String SESSION_UNKNOWN = "402::session_unknown";

    private BayeuxErrors() {
    }

    static String of(int code, String args, String message) {
        // Args are separated by ',' and end at ':'; neither may appear inside one.
        String safeArgs = args == null ? "" : args.replace(':', '_');
        return code + ":" + safeArgs + ":" + message;
    }

    static String of(HeraldException e, String args) {
        return of(code(e.reason()), args, e.getMessage());
    }

    static int code(Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case UNKNOWN_SESSION -> 402;
            case FORBIDDEN -> 403;
            case TOO_LARGE -> 413;
            case STORE_UNAVAILABLE -> 503;
        };
    }
}
