package io.herald.api;

/**
 * Decides whether a principal may subscribe or publish to a channel, whatever the protocol. Called on every
 * subscribe and publish, so it must be fast and thread-safe.
 *
 * <p>Example: only members may read their team's channels.
 * <pre>{@code
 * Authorizer teams = new Authorizer() {
 *     public boolean maySubscribe(Principal p, ChannelName c) {
 *         return !c.value().startsWith("/team/") || c.segments().get(1).equals(p.attributes().get("team"));
 *     }
 *     public boolean mayPublish(Principal p, ChannelName c) { return maySubscribe(p, c); }
 * };
 * }</pre>
 */
public interface Authorizer {

    /** Whether {@code principal} may receive messages of {@code channel} (a channel or a pattern). */
    boolean maySubscribe(Principal principal, ChannelName channel);

    /** Whether {@code principal} may publish to {@code channel}. */
    boolean mayPublish(Principal principal, ChannelName channel);

    /** Allows what the principal's token grants, and everything to an unrestricted principal. */
    Authorizer TOKEN_GRANTS = new Authorizer() {
        @Override
        public boolean maySubscribe(Principal principal, ChannelName channel) {
            return principal.grants(channel);
        }

        @Override
        public boolean mayPublish(Principal principal, ChannelName channel) {
            return principal.grants(channel);
        }
    };
}
