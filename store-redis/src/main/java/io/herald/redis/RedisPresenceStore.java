package io.herald.redis;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presence on Redis: per channel a hash of its members by client id, each with its join sequence (the
 * joining order), join time, expiry, user and info, and a hash of its users (online sequence, connections,
 * since, when their last connection went); per bucket a sorted set of members by expiry, from which
 * {@link #purgeExpired} claims expired members atomically ({@code presence-purge.lua}), each once across
 * every node, and a sorted set of leaving users from which {@link #purgeOffline} claims users going offline
 * the same way ({@code presence-offline.lua}), adding their interval to the channel's online-time hash. Every
 * change to a member changes its user in the same script, so user counts never drift between nodes. The
 * members and users keys expire {@value RedisSessionStore#GRACE_MILLIS} ms after their last member would
 * have, so Redis drops dead presence even if no node purges; online times never expire. Times come from the
 * node's {@link Clock}, to the millisecond. Thread-safe.
 */
final class RedisPresenceStore implements PresenceStore {

    private static final int PURGE_BATCH = 256;

    private final RedisPool redis;
    private final RedisKeys keys;
    private final Clock clock;

    RedisPresenceStore(RedisPool redis, RedisKeys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        return arrive(channel, clientId, userId, info, ttl).member();
    }

    @Override
    public Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        List<?> result = (List<?>) run(channel, clientId, now, "join", "join " + clientId + " of " + userId + " to " + channel,
                RedisKeys.bytes(Long.toString(expires)), RedisKeys.bytes(userId), encodeInfo(info));
        Member member = new Member(channel, clientId, text(result.get(3)), info, Instant.ofEpochMilli((Long) result.get(0)),
                Instant.ofEpochMilli(expires));
        return new Arrival(member, (Long) result.get(1) == 1, ((Long) result.get(2)).intValue());
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        return (Long) run(channel, clientId, clock.millis(), "leave", "remove " + clientId + " from " + channel) == 1;
    }

    @Override
    public List<Member> members(ChannelName channel) {
        Map<byte[], byte[]> all = redis.call(c -> c.hgetAll(keys.presence(channel)), "list the members of " + channel);
        long now = clock.millis();
        List<Stored> live = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
            Stored s = decode(channel, text(e.getKey()), e.getValue());
            if (s.member.expiresAt().toEpochMilli() > now) {
                live.add(s);
            }
        }
        live.sort(Comparator.comparingLong(Stored::sequence));
        return live.stream().map(Stored::member).toList();
    }

    @Override
    public List<OnlineUser> users(ChannelName channel) {
        List<?> read = read(channel, "");
        Map<String, Integer> live = new HashMap<>();
        for (Member m : members(channel)) {
            live.merge(m.userId(), 1, Integer::sum);
        }
        List<?> fields = (List<?>) read.get(0);
        List<long[]> order = new ArrayList<>();
        Map<Long, OnlineUser> bySequence = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String user = text(fields.get(i));
            long[] u = userValue(fields.get(i + 1));
            order.add(u);
            bySequence.put(u[0], new OnlineUser(channel, user, live.getOrDefault(user, 0), Instant.ofEpochMilli(u[2])));
        }
        order.sort(Comparator.comparingLong(u -> u[0]));
        return order.stream().map(u -> bySequence.get(u[0])).toList();
    }

    @Override
    public List<Member> purgeExpired(Instant now) {
        List<Member> purged = new ArrayList<>();
        for (int bucket = 0; bucket < RedisKeys.BUCKETS; bucket++) {
            purgeExpired(bucket, now, purged);
        }
        return purged;
    }

    private void purgeExpired(int bucket, Instant now, List<Member> purged) {
        byte[] millis = RedisKeys.bytes(Long.toString(now.toEpochMilli()));
        List<byte[]> args = List.of(millis, RedisKeys.bytes(keys.presenceKeyPrefix(bucket)), RedisKeys.bytes(Integer.toString(PURGE_BATCH)),
                RedisKeys.bytes(keys.presenceUsersPrefix(bucket)), RedisKeys.bytes(Long.toString(RedisSessionStore.GRACE_MILLIS)));
        while (true) {
            List<?> result = (List<?>) redis.eval(LuaScript.PRESENCE_PURGE, List.of(keys.presenceIndex(bucket), keys.presenceOffline(bucket)),
                    args, "purge expired members");
            List<?> claimed = (List<?>) result.get(1);
            for (int i = 0; i + 2 < claimed.size(); i += 3) {
                ChannelName channel = ChannelName.of(text(claimed.get(i)));
                purged.add(decode(channel, text(claimed.get(i + 1)), (byte[]) claimed.get(i + 2)).member);
            }
            if ((Long) result.get(0) < PURGE_BATCH) {
                return;
            }
        }
    }

    @Override
    public List<Offline> purgeOffline(Instant now, Duration grace) {
        List<Offline> offline = new ArrayList<>();
        byte[] cutoff = RedisKeys.bytes(Long.toString(now.toEpochMilli() - grace.toMillis()));
        for (int bucket = 0; bucket < RedisKeys.BUCKETS; bucket++) {
            purgeExpired(bucket, now, new ArrayList<>());
            List<byte[]> args = List.of(cutoff, RedisKeys.bytes(keys.presenceUsersPrefix(bucket)),
                    RedisKeys.bytes(keys.presenceTimesPrefix(bucket)), RedisKeys.bytes(Integer.toString(PURGE_BATCH)));
            while (true) {
                List<?> result = (List<?>) redis.eval(LuaScript.PRESENCE_OFFLINE, List.of(keys.presenceOffline(bucket)), args,
                        "take users offline");
                List<?> claimed = (List<?>) result.get(1);
                for (int i = 0; i + 3 < claimed.size(); i += 4) {
                    offline.add(new Offline(ChannelName.of(text(claimed.get(i))), text(claimed.get(i + 1)),
                            Instant.ofEpochMilli((Long) claimed.get(i + 2)), Instant.ofEpochMilli((Long) claimed.get(i + 3))));
                }
                if ((Long) result.get(0) < PURGE_BATCH) {
                    break;
                }
            }
        }
        return offline;
    }

    @Override
    public Duration onlineTime(ChannelName channel, String userId, Instant now) {
        List<?> read = read(channel, userId);
        long total = read.get(1) == null ? 0 : Long.parseLong(text(read.get(1)));
        return Duration.ofMillis(total + current(read.get(0), now));
    }

    @Override
    public Map<String, Duration> onlineTimes(ChannelName channel, Instant now) {
        List<?> read = read(channel, "");
        Map<String, Long> millis = new LinkedHashMap<>();
        List<?> times = (List<?>) read.get(1);
        for (int i = 0; i + 1 < times.size(); i += 2) {
            millis.merge(text(times.get(i)), Long.parseLong(text(times.get(i + 1))), Long::sum);
        }
        List<?> users = (List<?>) read.get(0);
        for (int i = 0; i + 1 < users.size(); i += 2) {
            millis.merge(text(users.get(i)), current(users.get(i + 1), now), Long::sum);
        }
        Map<String, Duration> out = new LinkedHashMap<>();
        millis.forEach((user, ms) -> out.put(user, Duration.ofMillis(ms)));
        return out;
    }

    /** The open interval of a user's value (none for {@code null}): up to now while online, to its end while leaving. */
    private static long current(Object userValue, Instant now) {
        if (userValue == null) {
            return 0;
        }
        long[] u = userValue(userValue);
        long end = u[1] > 0 ? now.toEpochMilli() : u[3];
        return Math.max(0, end - u[2]);
    }

    /** {@code <online sequence>:<connections>:<since ms>:<end ms>} as four numbers. */
    private static long[] userValue(Object bytes) {
        String[] parts = text(bytes).split(":");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])};
    }

    private List<?> read(ChannelName channel, String userId) {
        return (List<?>) redis.eval(LuaScript.PRESENCE_READ, List.of(keys.presenceUsers(channel), keys.presenceTimes(channel)),
                List.of(RedisKeys.bytes(userId)), "read the online time on " + channel);
    }

    private Object run(ChannelName channel, String clientId, long now, String operation, String what, byte[]... args) {
        int bucket = RedisKeys.bucketOf(channel.value());
        List<byte[]> argv = new ArrayList<>(6 + args.length);
        argv.add(RedisKeys.bytes(operation));
        argv.add(RedisKeys.bytes(Long.toString(now)));
        argv.add(RedisKeys.bytes(Long.toString(RedisSessionStore.GRACE_MILLIS)));
        argv.add(RedisKeys.bytes(clientId));
        argv.add(RedisKeys.bytes(channel.value() + "\n" + clientId));
        argv.add(RedisKeys.bytes(channel.value()));
        argv.addAll(List.of(args));
        return redis.eval(LuaScript.PRESENCE, List.of(keys.presence(channel), keys.presenceIndex(bucket), keys.presenceSequence(bucket),
                keys.presenceUsers(channel), keys.presenceOffline(bucket)), argv, what);
    }

    /** The info, as the scripts store it after the user: its size, then each key and value. */
    private static byte[] encodeInfo(Map<String, String> info) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, Integer.toString(info.size()));
        for (Map.Entry<String, String> e : info.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
        return out.toByteArray();
    }

    /** Decodes {@code <seq>:<joined>:<expires>:<user and info>}. */
    private static Stored decode(ChannelName channel, String clientId, byte[] value) {
        int[] at = {0};
        long sequence = number(value, at);
        long joined = number(value, at);
        long expires = number(value, at);
        String userId = readString(value, at);
        int count = Integer.parseInt(readString(value, at));
        Map<String, String> info = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            info.put(readString(value, at), readString(value, at));
        }
        return new Stored(sequence, new Member(channel, clientId, userId, info, Instant.ofEpochMilli(joined), Instant.ofEpochMilli(expires)));
    }

    private static long number(byte[] value, int[] at) {
        long n = 0;
        int i = at[0];
        while (value[i] != ':') {
            n = n * 10 + (value[i] - '0');
            i++;
        }
        at[0] = i + 1;
        return n;
    }

    /** A length (decimal, then ':') and that many UTF-8 bytes: readable with redis-cli, binary-safe. */
    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] length = (bytes.length + ":").getBytes(StandardCharsets.US_ASCII);
        out.write(length, 0, length.length);
        out.write(bytes, 0, bytes.length);
    }

    private static String readString(byte[] value, int[] at) {
        int length = (int) number(value, at);
        String text = new String(value, at[0], length, StandardCharsets.UTF_8);
        at[0] += length;
        return text;
    }

    private static String text(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }

    /** A member with its join sequence. */
    private record Stored(long sequence, Member member) {
    }
}
