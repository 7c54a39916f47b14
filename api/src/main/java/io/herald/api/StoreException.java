package io.herald.api;

/**
 * A store or broker could not do what was asked (connection lost, server refused). The operation had no
 * effect: a store must never leave a half-written append behind this exception.
 */
public class StoreException extends HeraldException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.STORE_UNAVAILABLE;
    }
}
