package io.herald.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who is present on which channel, kept alive by heartbeats.
 *
 * <p>A member stays present {@code ttl} after its last {@link #join}; calling {@code join} again is the
 * heartbeat, which keeps {@link Member#joinedAt()} and updates the info. Expired members are never returned
 * by {@link #members}; {@link #purgeExpired} removes them and hands each out exactly once, so the presence
 * service can announce them as gone. Thread-safe.
 */
public interface PresenceStore {

    /** Adds or refreshes {@code clientId} on {@code channel}; returns the member as stored. */
    Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl);

    /** Removes {@code clientId} from {@code channel}; {@code false} if it was not present. */
    boolean leave(ChannelName channel, String clientId);

    /** The live members of {@code channel}, in joining order. */
    List<Member> members(ChannelName channel);

    /** Removes and returns the members that expired by {@code now}, each exactly once. */
    List<Member> purgeExpired(Instant now);
}
