package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Position;

/** An active subscription of a {@link Subscriber} to a channel or pattern. Thread-safe. */
public interface Subscription extends AutoCloseable {

    /** The channel or pattern subscribed to. */
    ChannelName channel();

    /**
     * For an exact channel: the channel's position when the subscription registered, which is where live
     * delivery took over (after any replay). For a pattern: {@code null}.
     */
    Position registeredAt();

    /** Stops delivery; idempotent. */
    @Override
    void close();
}
