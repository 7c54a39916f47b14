package io.herald.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A client present on a channel.
 *
 * @param channel the channel it is present on
 * @param clientId the connection or session that is present; unique per channel
 * @param userId the user behind the client; one user may have several clients
 * @param info application data about the member (display name, ...)
 * @param joinedAt when this client joined; kept across heartbeats
 * @param expiresAt when it is considered gone unless it beats again
 */
public record Member(ChannelName channel, String clientId, String userId, Map<String, String> info,
                     Instant joinedAt, Instant expiresAt) {

    public Member {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(joinedAt, "joinedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        info = info == null ? Map.of() : Map.copyOf(info);
    }
}
