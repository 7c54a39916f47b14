package io.herald.redis;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import io.herald.core.RandomIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * History on Redis: per channel a hash with the epoch and the head offset, and a stream of the retained
 * messages whose entry ids are {@code <offset>-<timestamp ms>} (see the module README for the layout).
 *
 * <p>{@link #append} is one Lua script ({@code history-append.lua}) that resolves the epoch, assigns the
 * next offset, stores the message, trims to the channel's retention by count and age, and {@code PUBLISH}es
 * it: history and live delivery cannot disagree, and concurrent appends from any number of nodes get
 * consecutive offsets. {@link #append} runs on the pool's connections, one append in flight on each;
 * {@link #appendAsync} pipelines appends on the node's script connection, any number in flight, in call
 * order. A publication with an id is appended once per channel while retained: the script keeps the ids of
 * retained messages in a sorted set by offset, trims it with the log and answers a retry with the stored
 * message. Reads ({@link #replay}, {@link #head}) see the head, the oldest retained offset and
 * the messages at one instant: one {@code MULTI} for channels without an age limit, else one script
 * ({@code history-read.lua}), which also answers channels without history, writing nothing (reads create no
 * key: see the module README for how such a channel's epoch is computed), and trims what aged out. Timestamps and age come from Redis's clock,
 * which every node shares.
 *
 * <p>When a channel's keys are lost (evicted, deleted) the next call draws a new epoch and offsets restart
 * at 1; a position from before gets a reset gap. Thread-safe.
 */
final class RedisHistoryStore implements HistoryStore {

    private static final byte[] NO_EPOCH = new byte[0];
    private static final byte[] NO_ID = new byte[0];
    private static final byte[] NO_BUS = new byte[0];
    private static final byte[] CLUSTER = {'1'};
    private static final byte[] ZERO = {'0'};
    private static final byte[] EPOCH_FIELD = bytes("epoch");
    private static final byte[] HEAD_FIELD = bytes("head");
    private static final byte[] MIN_ID = bytes("-");
    private static final byte[] MAX_ID = bytes("+");

    private final RedisPool redis;
    private final RedisKeys keys;
    private final Retention.Policy retention;

    RedisHistoryStore(RedisPool redis, RedisKeys keys, Retention.Policy retention) {
        this.redis = redis;
        this.keys = keys;
        this.retention = retention;
    }

    @Override
    public Message append(Publication publication) {
        Object reply = redis.eval(LuaScript.HISTORY_APPEND, appendKeys(publication.channel()), appendArgs(publication),
                "append to " + publication.channel());
        return appended(publication, reply).message();
    }

    /** The same script as {@link #append}, pipelined on the node's script connection: see {@link ScriptPipeline}. */
    @Override
    public CompletableFuture<Appended> appendAsync(Publication publication) {
        return redis.evalAsync(LuaScript.HISTORY_APPEND, appendKeys(publication.channel()), appendArgs(publication),
                "append to " + publication.channel()).thenApply(reply -> appended(publication, reply));
    }

    private List<byte[]> appendKeys(ChannelName channel) {
        return List.of(keys.meta(channel), keys.log(channel), keys.next(channel), keys.ids(channel));
    }

    private List<byte[]> appendArgs(Publication publication) {
        ChannelName channel = publication.channel();
        Retention r = retention.retentionFor(channel);
        return List.of(bytes(RandomIds.epoch()), bytes(Integer.toString(r.maxCount())), bytes(Long.toString(r.maxAge().toMillis())),
                MessageCodec.body(publication), keys.pubsub(channel), bytes(RandomIds.epoch()),
                publication.id() == null ? NO_ID : bytes(publication.id()),
                keys.cluster() ? keys.patternBus(channel) : NO_BUS, keys.patternMarker());
    }

    /** The script's answer: {@code {epoch, offset, ms}} for a new message, plus the stored body for a retry. */
    private static Appended appended(Publication publication, Object reply) {
        List<?> result = (List<?>) reply;
        Position position = new Position(text(result.get(0)), (Long) result.get(1));
        Instant timestamp = Instant.ofEpochMilli((Long) result.get(2));
        if (result.size() > 3) {
            try {
                return new Appended(MessageCodec.decode(publication.channel(), position, timestamp, (byte[]) result.get(3)), true);
            } catch (IllegalArgumentException e) {
                throw new StoreException("cannot read message " + position + " of " + publication.channel() + " from Redis: " + e.getMessage(), e);
            }
        }
        return new Appended(Message.of(publication, position, MessageCodec.generatedId(position), timestamp), false);
    }

    /** Its append script publishes to the Redis broker on the same server and prefix. */
    @Override
    public boolean publishesTo(Broker broker) {
        return broker instanceof RedisBroker redis && redis.receives(this.redis.options().endpoint(), keys);
    }

    @Override
    public Replay replay(ChannelName channel, Position after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("replay limit must be at least 1, got " + limit);
        }
        Read read = read(channel, after, limit, "replay " + channel + " after " + after);
        return Replay.of(channel, new Position(read.epoch, read.head), read.first, after, read.messages);
    }

    @Override
    public Position head(ChannelName channel) {
        Read read = read(channel, null, 0, "read the head of " + channel);
        return new Position(read.epoch, read.head);
    }

    private Read read(ChannelName channel, Position after, int limit, String what) {
        Retention r = retention.retentionFor(channel);
        // Jedis has no MULTI on a cluster: there the script reads, at one instant too.
        if (!r.hasMaxAge() && !keys.cluster()) {
            Read read = redis.call(c -> readInTransaction(c, channel, after, limit), what);
            if (read != null) {
                return read;
            }
        }
        return readWithScript(channel, after, limit, r, what);
    }

    /**
     * The common case, about three times faster than the script (Lua's copying of the entries is the cost):
     * the meta, the oldest entry and the page in one {@code MULTI}, so they are read at one instant. Returns
     * {@code null} when only the script can answer: a channel without an epoch yet, or whose log was lost.
     * Only for channels without an age limit, whose log is never empty once published to.
     */
    private Read readInTransaction(UnifiedJedis c, ChannelName channel, Position after, int limit) {
        byte[] log = keys.log(channel);
        Response<List<byte[]>> meta;
        Response<List<Object>> oldest;
        Response<List<Object>> page = null;
        try (AbstractTransaction t = c.multi()) {
            meta = t.hmget(keys.meta(channel), EPOCH_FIELD, HEAD_FIELD);
            oldest = t.xrange(log, MIN_ID, MAX_ID, 1);
            if (limit > 0) {
                page = t.xrange(log, after == null ? MIN_ID : bytes(after.offset() + 1 + "-0"), MAX_ID, limit);
            }
            t.exec();
        }
        byte[] epochBytes = meta.get().get(0);
        byte[] headBytes = meta.get().get(1);
        if (epochBytes == null || headBytes == null) {
            return null;
        }
        String epoch = text(epochBytes);
        long head = Long.parseLong(text(headBytes));
        List<Object> first = oldest.get();
        if (head > 0 && first.isEmpty()) {
            return null;
        }
        long firstOffset = first.isEmpty() ? head + 1 : offsetOf((List<?>) first.get(0));
        List<Message> messages = new ArrayList<>();
        boolean meaningful = after == null || (after.epoch().equals(epoch) && after.offset() <= head);
        if (page != null && meaningful) {
            for (Object e : page.get()) {
                messages.add(entry(channel, epoch, (List<?>) e));
            }
        }
        return new Read(epoch, head, firstOffset, messages);
    }

    private Read readWithScript(ChannelName channel, Position after, int limit, Retention r, String what) {
        List<byte[]> args = List.of(bytes(RandomIds.epoch()), bytes(Long.toString(r.maxAge().toMillis())),
                after == null ? NO_EPOCH : bytes(after.epoch()), after == null ? ZERO : bytes(Long.toString(after.offset())),
                bytes(Integer.toString(limit)), keys.cluster() ? CLUSTER : NO_ID);
        List<?> result = (List<?>) redis.eval(LuaScript.HISTORY_READ, List.of(keys.meta(channel), keys.log(channel), keys.next(channel),
                keys.ids(channel)), args, what);
        String epoch = text(result.get(0));
        long head = (Long) result.get(1);
        long first = (Long) result.get(2);
        List<?> entries = (List<?>) result.get(3);
        List<Message> messages = new ArrayList<>(entries.size());
        for (Object e : entries) {
            messages.add(entry(channel, epoch, (List<?>) e));
        }
        return new Read(epoch, head, first, messages);
    }

    private static long offsetOf(List<?> entry) {
        String id = text(entry.get(0));
        return Long.parseLong(id, 0, id.indexOf('-'), 10);
    }

    /** A stream entry {@code [id, [field, value]]} as a message. */
    private static Message entry(ChannelName channel, String epoch, List<?> entry) {
        String id = text(entry.get(0));
        int dash = id.indexOf('-');
        long offset = Long.parseLong(id, 0, dash, 10);
        long millis = Long.parseLong(id, dash + 1, id.length(), 10);
        List<?> fields = (List<?>) entry.get(1);
        try {
            return MessageCodec.decode(channel, new Position(epoch, offset), Instant.ofEpochMilli(millis), (byte[]) fields.get(1));
        } catch (IllegalArgumentException e) {
            throw new StoreException("cannot read message " + epoch + ":" + offset + " of " + channel + " from Redis: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }

    /** What the read script answered. */
    private record Read(String epoch, long head, long first, List<Message> messages) {
    }
}
