package io.herald.client;

/**
 * A request the server refused (its Bayeux {@code error}, e.g. {@code 403:<client>,/admin:forbidden}), or one
 * whose outcome is unknown because the link dropped before the reply. Unchecked, like the rest of Herald.
 */
public class HeraldClientException extends RuntimeException {

    private final String error;

    public HeraldClientException(String message, String error) {
        super(error == null ? message : message + ": " + error);
        this.error = error;
    }

    /** The server's Bayeux error {@code code:args:text}, or null when the server did not answer. */
    public String error() {
        return error;
    }

    /** The numeric code of {@link #error()}, or -1. */
    public int code() {
        if (error == null) {
            return -1;
        }
        int colon = error.indexOf(':');
        try {
            return Integer.parseInt(colon < 0 ? error : error.substring(0, colon));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
