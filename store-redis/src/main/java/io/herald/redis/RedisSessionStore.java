package io.herald.redis;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionClaim;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.api.SessionUnknownException;
import io.herald.core.RandomIds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable sessions on Redis: one hash per session, which Redis itself deletes {@value #GRACE_MILLIS} ms after
 * the session expired, whether or not a node purged it; and per bucket a sorted set of ids by expiry, from
 * which {@link #purgeExpired} claims expired sessions atomically ({@code session-purge.lua}), so each is
 * handed out once across every node. Every mutation is one Lua script ({@code session.lua}) that checks the
 * session is alive and changes it in one step. A named session is drawn from its name's bucket, so that
 * {@code session-claim.lua} binds the name and creates the session in one step on one slot. Times come from the node's {@link Clock}, to the millisecond.
 * Thread-safe.
 */
final class RedisSessionStore implements SessionStore {

    /** How long Redis keeps a session after it expired, for the purge to hand it out. */
    static final long GRACE_MILLIS = 3_600_000;
    private static final int PURGE_BATCH = 256;
    private static final long UNKNOWN = -2;
    private static final long NO_SUBSCRIPTION = -1;

    private final RedisPool redis;
    private final RedisKeys keys;
    private final Clock clock;

    RedisSessionStore(RedisPool redis, RedisKeys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public SessionRecord create(String principal, Duration ttl) {
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        while (true) {
            String id = RandomIds.session();
            if (run(id, now, "create", "create a session for " + principal, principal, Long.toString(expires)) == 1) {
                return new SessionRecord(id, principal, Instant.ofEpochMilli(now), Instant.ofEpochMilli(expires), Map.of());
            }
        }
    }

    @Override
    public SessionClaim claim(String name, String principal, Duration ttl) {
        SessionStore.checkName(name);
        int bucket = RedisKeys.bucketOf(name);
        List<byte[]> argv = new ArrayList<>(List.of(new byte[0], RedisKeys.bytes(Long.toString(GRACE_MILLIS)), new byte[0],
                RedisKeys.bytes(principal), new byte[0], RedisKeys.bytes(keys.sessionKeyPrefix(bucket))));
        while (true) {
            String fresh = RandomIds.session();
            if (RedisKeys.bucketOf(fresh) != bucket) {
                continue; // one in BUCKETS draws is in the name's bucket
            }
            long now = clock.millis();
            argv.set(0, RedisKeys.bytes(Long.toString(now)));
            argv.set(2, RedisKeys.bytes(fresh));
            argv.set(4, RedisKeys.bytes(Long.toString(now + ttl.toMillis())));
            List<?> result = (List<?>) redis.eval(LuaScript.SESSION_CLAIM,
                    List.of(keys.sessionName(name), keys.sessionIndex(bucket), keys.session(fresh)), argv, "claim session " + name);
            long outcome = (Long) result.get(0);
            if (outcome < 0) {
                continue; // the drawn id is taken
            }
            String id = text(result.get(1));
            SessionRecord session = decode(id, fields((List<?>) result.get(2)));
            return new SessionClaim(session, outcome == 1);
        }
    }

    @Override
    public Optional<SessionRecord> findNamed(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return Optional.empty();
        }
        byte[] id = redis.call(c -> c.get(keys.sessionName(name)), "read session name " + name);
        return id == null ? Optional.empty() : find(text(id));
    }

    @Override
    public Optional<SessionRecord> find(String id) {
        Map<byte[], byte[]> fields = redis.call(c -> c.hgetAll(keys.session(id)), "read session " + id);
        SessionRecord session = decode(id, fields);
        return session == null || !session.expiresAt().isAfter(Instant.ofEpochMilli(clock.millis())) ? Optional.empty() : Optional.of(session);
    }

    @Override
    public boolean touch(String id, Duration ttl) {
        long now = clock.millis();
        return run(id, now, "touch", "touch session " + id, Long.toString(now + ttl.toMillis())) == 1;
    }

    @Override
    public void subscribe(String id, SessionSubscription s) {
        String unacked = String.join(",", s.unacked().stream().map(RedisSessionStore::position).toList());
        live(id, run(id, "subscribe", "subscribe session " + id + " to " + s.channel(), s.key(),
                (s.acknowledged() ? "1" : "0") + s.channel().value(), s.cursor() == null ? "" : position(s.cursor()), unacked));
    }

    @Override
    public boolean unsubscribe(String id, String key) {
        return live(id, run(id, "unsubscribe", "unsubscribe session " + id + " from '" + key + "'", key)) == 1;
    }

    @Override
    public void advance(String id, String key, Position cursor) {
        subscription(id, key, run(id, "advance", "advance session " + id + " '" + key + "' to " + cursor, key, cursor.epoch(),
                Long.toString(cursor.offset()), "0"));
    }

    @Override
    public boolean delivered(String id, String key, Position position, int window) {
        return subscription(id, key, run(id, "delivered", "record delivery of " + position + " to session " + id, key,
                position.epoch(), Long.toString(position.offset()), Integer.toString(window))) == 1;
    }

    @Override
    public int acknowledge(String id, String key, Position position, boolean cumulative) {
        long removed = live(id, run(id, "acknowledge", "acknowledge " + position + " for session " + id, key, position.epoch(),
                Long.toString(position.offset()), cumulative ? "1" : "0"));
        return (int) Math.max(0, removed);
    }

    @Override
    public boolean delete(String id) {
        return run(id, "delete", "delete session " + id) == 1;
    }

    @Override
    public List<SessionRecord> purgeExpired(Instant now) {
        List<SessionRecord> purged = new ArrayList<>();
        byte[] millis = RedisKeys.bytes(Long.toString(now.toEpochMilli()));
        for (int bucket = 0; bucket < RedisKeys.BUCKETS; bucket++) {
            byte[] prefix = RedisKeys.bytes(keys.sessionKeyPrefix(bucket));
            while (true) {
                List<?> result = (List<?>) redis.eval(LuaScript.SESSION_PURGE, List.of(keys.sessionIndex(bucket)),
                        List.of(millis, prefix, RedisKeys.bytes(Integer.toString(PURGE_BATCH))), "purge expired sessions");
                List<?> claimed = (List<?>) result.get(1);
                for (int i = 0; i < claimed.size(); i += 2) {
                    String id = text(claimed.get(i));
                    SessionRecord session = decode(id, fields((List<?>) claimed.get(i + 1)));
                    if (session != null) {
                        purged.add(session);
                    }
                }
                if ((Long) result.get(0) < PURGE_BATCH) {
                    break;
                }
            }
        }
        return purged;
    }

    private long run(String id, String operation, String what, String... args) {
        return run(id, clock.millis(), operation, what, args);
    }

    private long run(String id, long now, String operation, String what, String... args) {
        List<byte[]> argv = new ArrayList<>(4 + args.length);
        argv.add(RedisKeys.bytes(operation));
        argv.add(RedisKeys.bytes(Long.toString(now)));
        argv.add(RedisKeys.bytes(Long.toString(GRACE_MILLIS)));
        argv.add(RedisKeys.bytes(id));
        for (String arg : args) {
            argv.add(RedisKeys.bytes(arg));
        }
        int bucket = RedisKeys.bucketOf(id);
        return (Long) redis.eval(LuaScript.SESSION, List.of(keys.session(id), keys.sessionIndex(bucket)), argv, what);
    }

    private static long live(String id, long result) {
        if (result == UNKNOWN) {
            throw new SessionUnknownException(id);
        }
        return result;
    }

    private static long subscription(String id, String key, long result) {
        if (live(id, result) == NO_SUBSCRIPTION) {
            throw new IllegalArgumentException("session " + id + " has no subscription '" + key + "'");
        }
        return result;
    }

    private static String position(Position p) {
        return p.epoch() + ":" + p.offset();
    }

    private static Position parsePosition(String text) {
        int colon = text.lastIndexOf(':');
        return new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
    }

    private static Map<byte[], byte[]> fields(List<?> flat) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((byte[]) flat.get(i), (byte[]) flat.get(i + 1));
        }
        return fields;
    }

    /** The session a hash holds, or {@code null} for none. */
    private static SessionRecord decode(String id, Map<byte[], byte[]> raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        raw.forEach((k, v) -> fields.put(text(k), text(v)));
        if (!fields.containsKey("e") || !fields.containsKey("p")) {
            return null;
        }
        Map<String, SessionSubscription> subscriptions = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!field.getKey().startsWith("s:")) {
                continue;
            }
            String key = field.getKey().substring(2);
            String definition = field.getValue();
            String cursor = fields.get("k:" + key);
            String unacked = fields.get("u:" + key);
            List<Position> positions = new ArrayList<>();
            if (unacked != null && !unacked.isEmpty()) {
                for (String p : unacked.split(",")) {
                    positions.add(parsePosition(p));
                }
            }
            subscriptions.put(key, new SessionSubscription(key, ChannelName.of(definition.substring(1)), definition.charAt(0) == '1',
                    cursor == null ? null : parsePosition(cursor), positions));
        }
        return new SessionRecord(id, fields.get("p"), Instant.ofEpochMilli(Long.parseLong(fields.getOrDefault("c", "0"))),
                Instant.ofEpochMilli(Long.parseLong(fields.get("e"))), subscriptions);
    }

    private static String text(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }
}
