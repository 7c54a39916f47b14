package io.herald.api;

/**
 * A publication Herald refuses for what it carries rather than where it goes: an event type that Herald
 * reserves for its own notices (G7). Nothing is stored.
 */
public final class InvalidPublicationException extends HeraldException {

    private final ChannelName channel;

    public InvalidPublicationException(ChannelName channel, String reason) {
        super("invalid publication to '" + channel.value() + "': " + reason);
        this.channel = channel;
    }

    /** The channel the publication was meant for. */
    public ChannelName channel() {
        return channel;
    }

    @Override
    public Reason reason() {
        return Reason.INVALID;
    }
}
