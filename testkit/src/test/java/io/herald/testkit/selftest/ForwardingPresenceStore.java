package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A presence store that forwards every call; broken stores override the call they get wrong. */
class ForwardingPresenceStore implements PresenceStore {

    private final PresenceStore inner;

    ForwardingPresenceStore(PresenceStore inner) {
        this.inner = inner;
    }

    @Override
    public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        return inner.join(channel, clientId, userId, info, ttl);
    }

    @Override
    public Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        return inner.arrive(channel, clientId, userId, info, ttl);
    }

    @Override
    public List<OnlineUser> users(ChannelName channel) {
        return inner.users(channel);
    }

    @Override
    public List<Offline> purgeOffline(Instant now, Duration grace) {
        return inner.purgeOffline(now, grace);
    }

    @Override
    public Duration onlineTime(ChannelName channel, String userId, Instant now) {
        return inner.onlineTime(channel, userId, now);
    }

    @Override
    public Map<String, Duration> onlineTimes(ChannelName channel, Instant now) {
        return inner.onlineTimes(channel, now);
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        return inner.leave(channel, clientId);
    }

    @Override
    public List<Member> members(ChannelName channel) {
        return inner.members(channel);
    }

    @Override
    public List<Member> purgeExpired(Instant now) {
        return inner.purgeExpired(now);
    }
}
