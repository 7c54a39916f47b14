package io.herald.core.memory;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Presence in this process's memory. Each channel's members are guarded by the channel's map. Thread-safe. */
public final class MemoryPresenceStore implements PresenceStore {

    private final Map<ChannelName, Map<String, Member>> channels = new ConcurrentHashMap<>();
    private final Clock clock;

    public MemoryPresenceStore(Clock clock) {
        this.clock = clock;
    }

    public MemoryPresenceStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        Instant now = clock.instant();
        Member[] joined = new Member[1];
        channels.compute(channel, (c, members) -> {
            Map<String, Member> m = members == null ? new LinkedHashMap<>() : members;
            Member previous = m.get(clientId);
            Instant since = previous != null && previous.expiresAt().isAfter(now) ? previous.joinedAt() : now;
            joined[0] = new Member(channel, clientId, userId, info, since, now.plus(ttl));
            if (previous != null && !previous.expiresAt().isAfter(now)) {
                m.remove(clientId);
            }
            m.put(clientId, joined[0]);
            return m;
        });
        return joined[0];
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        boolean[] removed = {false};
        channels.computeIfPresent(channel, (c, members) -> {
            Member m = members.get(clientId);
            // An expired member is not present: it stays for purgeExpired, which must still hand it out.
            if (m != null && m.expiresAt().isAfter(clock.instant())) {
                members.remove(clientId);
                removed[0] = true;
            }
            return members.isEmpty() ? null : members;
        });
        return removed[0];
    }

    @Override
    public List<Member> members(ChannelName channel) {
        Instant now = clock.instant();
        List<Member> live = new ArrayList<>();
        channels.computeIfPresent(channel, (c, members) -> {
            members.values().stream().filter(m -> m.expiresAt().isAfter(now)).forEach(live::add);
            return members;
        });
        return live;
    }

    @Override
    public List<Member> purgeExpired(Instant now) {
        List<Member> expired = new ArrayList<>();
        for (ChannelName channel : channels.keySet()) {
            channels.computeIfPresent(channel, (c, members) -> {
                Iterator<Member> it = members.values().iterator();
                while (it.hasNext()) {
                    Member m = it.next();
                    if (!m.expiresAt().isAfter(now)) {
                        it.remove();
                        expired.add(m);
                    }
                }
                return members.isEmpty() ? null : members;
            });
        }
        return expired;
    }
}
