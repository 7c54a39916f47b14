package io.herald.api;

import java.util.List;
import java.util.Objects;

/**
 * One subscription of a durable session, with how far it got.
 *
 * @param key identifies the subscription within its session (a STOMP subscription id, a Bayeux channel)
 * @param channel the channel or pattern subscribed to
 * @param acknowledged whether delivery is acknowledged (G4): unacked messages are redelivered
 * @param cursor the position delivered up to, or {@code null} when nothing was delivered yet
 * @param unacked positions delivered but not yet acknowledged, oldest first; empty unless acknowledged
 */
public record SessionSubscription(String key, ChannelName channel, boolean acknowledged, Position cursor,
                                  List<Position> unacked) {

    public SessionSubscription {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(channel, "channel");
        unacked = unacked == null ? List.of() : List.copyOf(unacked);
    }

    /** A new subscription that has delivered nothing. */
    public static SessionSubscription of(String key, ChannelName channel, boolean acknowledged) {
        return new SessionSubscription(key, channel, acknowledged, null, List.of());
    }
}
