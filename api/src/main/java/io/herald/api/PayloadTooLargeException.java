package io.herald.api;

/** A publication whose payload exceeds the configured limit; nothing was stored (G7). */
public final class PayloadTooLargeException extends HeraldException {

    private final ChannelName channel;
    private final long size;
    private final long limit;

    public PayloadTooLargeException(ChannelName channel, long size, long limit) {
        super("payload of " + size + " bytes for " + channel + " exceeds the limit of " + limit + " bytes");
        this.channel = channel;
        this.size = size;
        this.limit = limit;
    }

    public ChannelName channel() {
        return channel;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }

    @Override
    public Reason reason() {
        return Reason.TOO_LARGE;
    }
}
