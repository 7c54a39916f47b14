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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presence on Redis: per channel a hash of its members by client id, each with its join sequence (the
 * joining order), join time, expiry, user and info; per bucket a sorted set of members by expiry, from which
 * {@link #purgeExpired} claims expired members atomically ({@code presence-purge.lua}), each once across
 * every node. Both keys expire {@value RedisSessionStore#GRACE_MILLIS} ms after their last member would
 * have, so Redis drops dead presence even if no node purges. Times come from the node's {@link Clock}, to
 * the millisecond. Thread-safe.
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
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        long joined = run(channel, clientId, now, "join", "join " + clientId + " to " + channel,
                RedisKeys.bytes(Long.toString(expires)), encode(userId, info));
        return new Member(channel, clientId, userId, info, Instant.ofEpochMilli(joined), Instant.ofEpochMilli(expires));
    }

    @Override
    public boolean leave(ChannelName channel, String clientId) {
        return run(channel, clientId, clock.millis(), "leave", "remove " + clientId + " from " + channel) == 1;
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
    public List<Member> purgeExpired(Instant now) {
        List<Member> purged = new ArrayList<>();
        byte[] millis = RedisKeys.bytes(Long.toString(now.toEpochMilli()));
        for (int bucket = 0; bucket < RedisKeys.BUCKETS; bucket++) {
            byte[] prefix = RedisKeys.bytes(keys.presenceKeyPrefix(bucket));
            while (true) {
                List<?> result = (List<?>) redis.eval(LuaScript.PRESENCE_PURGE, List.of(keys.presenceIndex(bucket)),
                        List.of(millis, prefix, RedisKeys.bytes(Integer.toString(PURGE_BATCH))), "purge expired members");
                List<?> claimed = (List<?>) result.get(1);
                for (int i = 0; i + 2 < claimed.size(); i += 3) {
                    ChannelName channel = ChannelName.of(text(claimed.get(i)));
                    purged.add(decode(channel, text(claimed.get(i + 1)), (byte[]) claimed.get(i + 2)).member);
                }
                if ((Long) result.get(0) < PURGE_BATCH) {
                    break;
                }
            }
        }
        return purged;
    }

    private long run(ChannelName channel, String clientId, long now, String operation, String what, byte[]... args) {
        int bucket = RedisKeys.bucketOf(channel.value());
        List<byte[]> argv = new ArrayList<>(5 + args.length);
        argv.add(RedisKeys.bytes(operation));
        argv.add(RedisKeys.bytes(Long.toString(now)));
        argv.add(RedisKeys.bytes(Long.toString(RedisSessionStore.GRACE_MILLIS)));
        argv.add(RedisKeys.bytes(clientId));
        argv.add(RedisKeys.bytes(channel.value() + "\n" + clientId));
        argv.addAll(List.of(args));
        return (Long) redis.eval(LuaScript.PRESENCE, List.of(keys.presence(channel), keys.presenceIndex(bucket), keys.presenceSequence(bucket)),
                argv, what);
    }

    /** The user and info, as the scripts store them after the sequence, join time and expiry. */
    private static byte[] encode(String userId, Map<String, String> info) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, userId);
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
