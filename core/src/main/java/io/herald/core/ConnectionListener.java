package io.herald.core;

import io.herald.api.ChannelName;

/**
 * Told when a connection starts or stops listening to a channel: the hook presence plugs into. A connection
 * {@linkplain #joined joins} a channel when a subscription to it is registered and {@linkplain #left leaves}
 * it when the subscription ends, whether the client unsubscribed, the connection dropped or was cut off.
 * Each join is followed by exactly one leave.
 *
 * <p>Bind implementations with {@code Multibinder.newSetBinder(binder(), ConnectionListener.class)}. Called on
 * the thread that subscribed or closed; must not block for long. A listener that throws is logged and ignored.
 */
public interface ConnectionListener {

    /** {@code connection} now receives {@code channel} (an exact channel or a pattern). */
    void joined(Connection connection, ChannelName channel);

    /** {@code connection} no longer receives {@code channel}. */
    void left(Connection connection, ChannelName channel);
}
