package io.herald.api;

/** A channel name or pattern that is malformed, or not allowed where it was used (G7). */
public final class InvalidChannelException extends HeraldException {

    private final String channel;

    public InvalidChannelException(String channel, String reason) {
        super("invalid channel '" + channel + "': " + reason);
        this.channel = channel;
    }

    /** The name as it was given, possibly malformed. */
    public String channel() {
        return channel;
    }

    @Override
    public Reason reason() {
        return Reason.INVALID;
    }
}
