package io.herald.api;

/** The {@link Authorizer} refused a principal an operation on a channel (G7). */
public final class AccessDeniedException extends HeraldException {

    private final String principal;
    private final ChannelName channel;

    public AccessDeniedException(String principal, ChannelName channel, String operation) {
        super("'" + principal + "' may not " + operation + " " + channel);
        this.principal = principal;
        this.channel = channel;
    }

    public String principal() {
        return principal;
    }

    public ChannelName channel() {
        return channel;
    }

    @Override
    public Reason reason() {
        return Reason.FORBIDDEN;
    }
}
