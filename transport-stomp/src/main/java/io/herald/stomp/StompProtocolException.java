package io.herald.stomp;

/**
 * A client broke the protocol: a malformed frame, a frame in the wrong state, a header missing or invalid.
 * The connection answers with an ERROR frame whose {@code message} header is {@link #getMessage()}, then
 * closes (STOMP 1.2 requires closing after any ERROR), having changed nothing for the offending frame.
 */
public class StompProtocolException extends RuntimeException {

    private final String detail;

    public StompProtocolException(String message) {
        this(message, null);
    }

    /** @param detail a longer explanation for the ERROR body; may be {@code null} */
    public StompProtocolException(String message, String detail) {
        super(message);
        this.detail = detail;
    }

    /** The ERROR body, or {@code null}. */
    public String detail() {
        return detail;
    }
}
