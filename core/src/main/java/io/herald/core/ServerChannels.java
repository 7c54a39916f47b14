package io.herald.core;

import io.herald.api.ChannelName;

/**
 * Channels that only the server itself publishes to: the engine refuses a publish to them from any principal
 * but {@link io.herald.api.Principal#SERVER}, whatever the {@link io.herald.api.Authorizer} says, so that a
 * token granting a channel to read it never lets a client write there too. Presence reserves its companion
 * channels ({@code /presence/**}) this way, so that no client can forge a join or a leave.
 *
 * <p>Bind with {@code Multibinder.newSetBinder(binder(), ServerChannels.class).addBinding().toInstance(...)}.
 * Asked on every publish: must be fast and thread-safe.
 */
@FunctionalInterface
public interface ServerChannels {

    /** Whether only the server may publish to {@code channel}. */
    boolean reserves(ChannelName channel);
}
