package io.herald.core.memory;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Presence in this process's memory. Each channel's members, users and online times are one
 * {@link ChannelPresence}, changed only inside {@link ConcurrentHashMap#compute} of its entry, so every
 * operation on a channel is atomic. A channel's entry goes away once it holds nothing, online times
 * included (so a channel somebody was ever online on stays). Thread-safe.
 */
public final class MemoryPresenceStore implements PresenceStore {

    private final Map<ChannelName, ChannelPresence> channels = new ConcurrentHashMap<>();
    private final Clock clock;

    public MemoryPresenceStore(Clock clock) {
        this.clock = clock;
    }

    public MemoryPresenceStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        return arrive(channel, clientId, userId, info, ttl).member();
    }

    @Override
    public Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        Instant now = clock.instant();
        return change(channel, p -> p.arrive(channel, clientId, userId, info, now, now.plus(ttl)));
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        Instant now = clock.instant();
        Boolean left = read(channel, p -> p.leave(clientId, now));
        return left != null && left;
    }

    @Override
    public List<Member> members(ChannelName channel) {
        Instant now = clock.instant();
        List<Member> live = read(channel, p -> p.members.values().stream().filter(m -> m.expiresAt().isAfter(now)).toList());
        return live == null ? List.of() : live;
    }

    @Override
    public List<OnlineUser> users(ChannelName channel) {
        Instant now = clock.instant();
        List<OnlineUser> users = read(channel, p -> p.users(channel, now));
        return users == null ? List.of() : users;
    }

    @Override
    public List<Member> purgeExpired(Instant now) {
        List<Member> expired = new ArrayList<>();
        for (ChannelName channel : channels.keySet()) {
            List<Member> purged = read(channel, p -> p.purgeExpired(now));
            if (purged != null) {
                expired.addAll(purged);
            }
        }
        return expired;
    }

    @Override
    public List<Offline> purgeOffline(Instant now, Duration grace) {
        List<Offline> offline = new ArrayList<>();
        Instant cutoff = now.minus(grace);
        for (ChannelName channel : channels.keySet()) {
            List<Offline> gone = read(channel, p -> {
                p.purgeExpired(now);
                return p.purgeOffline(channel, cutoff);
            });
            if (gone != null) {
                offline.addAll(gone);
            }
        }
        return offline;
    }

    @Override
    public Duration onlineTime(ChannelName channel, String userId, Instant now) {
        Long millis = read(channel, p -> p.onlineMillis(userId, now));
        return Duration.ofMillis(millis == null ? 0 : millis);
    }

    @Override
    public Map<String, Duration> onlineTimes(ChannelName channel, Instant now) {
        Map<String, Duration> times = read(channel, p -> {
            Map<String, Duration> all = new LinkedHashMap<>();
            p.totals.keySet().forEach(u -> all.put(u, Duration.ofMillis(p.onlineMillis(u, now))));
            p.users.keySet().forEach(u -> all.put(u, Duration.ofMillis(p.onlineMillis(u, now))));
            return all;
        });
        return times == null ? Map.of() : times;
    }

    /** Runs {@code change} on the channel's presence, made if absent, atomically. */
    private <T> T change(ChannelName channel, Function<ChannelPresence, T> change) {
        Object[] result = new Object[1];
        channels.compute(channel, (c, p) -> {
            ChannelPresence presence = p == null ? new ChannelPresence() : p;
            result[0] = change.apply(presence);
            return presence.isEmpty() ? null : presence;
        });
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    /** Runs {@code read} on the channel's presence if there is one, atomically; {@code null} if there is none. */
    private <T> T read(ChannelName channel, Function<ChannelPresence, T> read) {
        Object[] result = new Object[1];
        channels.computeIfPresent(channel, (c, p) -> {
            result[0] = read.apply(p);
            return p.isEmpty() ? null : p;
        });
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    /**
     * A user online, or leaving while {@code connections} is 0. {@code end} is when the latest of their gone
     * connections went (an expired one may be purged after a later one left): the end of their online time.
     */
    private static final class UserState {
        int connections;
        final Instant since;
        Instant end;

        UserState(Instant since) {
            this.since = since;
        }
    }

    /** One channel's presence; only touched inside a map computation of its entry. */
    private static final class ChannelPresence {
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final LinkedHashMap<String, UserState> users = new LinkedHashMap<>();
        final Map<String, Long> totals = new HashMap<>();

        boolean isEmpty() {
            return members.isEmpty() && users.isEmpty() && totals.isEmpty();
        }

        Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Instant now, Instant expires) {
            Member previous = members.get(clientId);
            if (previous != null) {
                // Live or expired but not yet purged, it still counts for its user: a heartbeat.
                boolean live = previous.expiresAt().isAfter(now);
                Member beat = new Member(channel, clientId, previous.userId(), info, live ? previous.joinedAt() : now, expires);
                if (!live) {
                    members.remove(clientId);
                }
                members.put(clientId, beat);
                return new Arrival(beat, false, users.get(previous.userId()).connections);
            }
            Member member = new Member(channel, clientId, userId, info, now, expires);
            members.put(clientId, member);
            UserState user = users.get(userId);
            boolean joined = user == null;
            if (joined) {
                user = new UserState(now);
                users.put(userId, user);
            }
            user.connections++;
            return new Arrival(member, joined, user.connections);
        }

        Boolean leave(String clientId, Instant now) {
            Member m = members.get(clientId);
            // An expired member is not present: it stays for the purge, which must still hand it out.
            if (m == null || !m.expiresAt().isAfter(now)) {
                return false;
            }
            members.remove(clientId);
            gone(m.userId(), now);
            return true;
        }

        void gone(String userId, Instant at) {
            UserState user = users.get(userId);
            user.connections--;
            if (user.end == null || at.isAfter(user.end)) {
                user.end = at;
            }
        }

        List<Member> purgeExpired(Instant now) {
            List<Member> expired = new ArrayList<>();
            Iterator<Member> it = members.values().iterator();
            while (it.hasNext()) {
                Member m = it.next();
                if (!m.expiresAt().isAfter(now)) {
                    it.remove();
                    expired.add(m);
                }
            }
            for (Member m : expired) {
                gone(m.userId(), m.expiresAt());
            }
            return expired;
        }

        List<Offline> purgeOffline(ChannelName channel, Instant cutoff) {
            List<Offline> offline = new ArrayList<>();
            Iterator<Map.Entry<String, UserState>> it = users.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, UserState> e = it.next();
                UserState user = e.getValue();
                if (user.connections == 0 && !user.end.isAfter(cutoff)) {
                    it.remove();
                    totals.merge(e.getKey(), Duration.between(user.since, user.end).toMillis(), Long::sum);
                    offline.add(new Offline(channel, e.getKey(), user.since, user.end));
                }
            }
            return offline;
        }

        List<OnlineUser> users(ChannelName channel, Instant now) {
            Map<String, Integer> live = new HashMap<>();
            for (Member m : members.values()) {
                if (m.expiresAt().isAfter(now)) {
                    live.merge(m.userId(), 1, Integer::sum);
                }
            }
            List<OnlineUser> list = new ArrayList<>(users.size());
            users.forEach((id, u) -> list.add(new OnlineUser(channel, id, live.getOrDefault(id, 0), u.since)));
            return list;
        }

        long onlineMillis(String userId, Instant now) {
            long total = totals.getOrDefault(userId, 0L);
            UserState user = users.get(userId);
            if (user != null) {
                Instant end = user.connections == 0 ? user.end : now;
                total += Math.max(0, Duration.between(user.since, end).toMillis());
            }
            return total;
        }
    }
}
