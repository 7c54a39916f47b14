package io.herald.redis;

import io.herald.api.ChannelName;
import java.nio.charset.StandardCharsets;

/**
 * The names of every Redis key and pub/sub channel the store uses (the layout is documented in the module
 * README). Keys of one channel share the hash tag {@code {<channel>}}, so that the scripts touching them
 * run on one Redis Cluster slot; sessions and presence are spread over {@value #BUCKETS} buckets, each its
 * own hash tag, for the same reason. On a cluster a channel's messages are published on a shard channel
 * ({@code SPUBLISH}) with the same hash tag, so that the append script may publish it and only the shard
 * owning the channel carries it; pattern subscribers get them on the classic channel instead (see
 * {@link #patternBus}). Immutable and thread-safe.
 */
final class RedisKeys {

    /** Buckets sessions and presence are spread over; purging visits each. */
    static final int BUCKETS = 16;

    private final String prefix;
    private final String pubsubPrefix;
    private final byte[] pubsubPrefixBytes;
    private final boolean cluster;
    private final byte[] shardPrefixBytes;

    /**
     * @param prefix prefix of every key and channel, e.g. {@code herald:}
     * @param database the database index: pub/sub ignores databases, so channels name it to keep two
     *     deployments on one server apart
     */
    RedisKeys(String prefix, int database) {
        this(prefix, database, false);
    }

    /**
     * @param cluster whether Redis is a cluster: messages then go on shard channels ({@link #pubsub})
     */
    RedisKeys(String prefix, int database, boolean cluster) {
        this.prefix = prefix;
        this.pubsubPrefix = prefix + "pubsub:" + database + ":";
        this.pubsubPrefixBytes = bytes(pubsubPrefix);
        this.cluster = cluster;
        this.shardPrefixBytes = bytes(prefix + "pubsub:{");
    }

    /** The keys of a node connecting with {@code options}. */
    static RedisKeys of(RedisOptions options) {
        return new RedisKeys(options.prefix(), options.endpoint().database(), options.endpoint().isCluster());
    }

    boolean cluster() {
        return cluster;
    }

    String prefix() {
        return prefix;
    }

    /** Hash {@code epoch}, {@code head} of a channel. */
    byte[] meta(ChannelName channel) {
        return bytes(prefix + "{" + channel.value() + "}:meta");
    }

    /** Stream of a channel's retained messages, entry ids {@code <offset>-<timestamp ms>}. */
    byte[] log(ChannelName channel) {
        return bytes(prefix + "{" + channel.value() + "}:log");
    }

    /**
     * String: the epoch a channel takes when its history is lost, set aside by the append that began its
     * current epoch, so that a channel recreated after a loss never takes an epoch it had before.
     */
    byte[] next(ChannelName channel) {
        return bytes(prefix + "{" + channel.value() + "}:next");
    }

    /** Sorted set of the publisher ids of a channel's retained messages, scored by offset. */
    byte[] ids(ChannelName channel) {
        return bytes(prefix + "{" + channel.value() + "}:ids");
    }

    /**
     * The pub/sub channel a channel's messages are published on; on a cluster the shard channel
     * {@code <prefix>pubsub:{<channel>}}, in the slot of the channel's keys.
     */
    byte[] pubsub(ChannelName channel) {
        return cluster ? bytes(prefix + "pubsub:{" + channel.value() + "}") : patternBus(channel);
    }

    /**
     * The classic pub/sub channel that pattern subscriptions ({@link #pubsubGlob}) see a channel's messages on.
     * Sharded pub/sub has no patterns, so on a cluster a message is published here too, but only while some
     * node has a pattern subscription ({@link #patternMarker}); without a cluster it is {@link #pubsub}.
     */
    byte[] patternBus(ChannelName channel) {
        return bytes(pubsubPrefix + channel.value());
    }

    /**
     * The classic channel every node with a pattern subscription subscribes on every master of a cluster, so
     * that the append script, seeing a subscriber ({@code PUBSUB NUMSUB}), also publishes on the
     * {@link #patternBus}. Never published to; not a channel name ({@link #channelOf} answers {@code null}).
     */
    byte[] patternMarker() {
        return bytes(pubsubPrefix + "patterns");
    }

    /**
     * The PSUBSCRIBE glob of a pattern: {@code /a/*} and {@code /a/**} both become {@code <p>/a/*}, since
     * Redis's {@code *} also matches {@code /}; receivers filter with {@link ChannelName#matches}.
     */
    byte[] pubsubGlob(ChannelName pattern) {
        StringBuilder glob = new StringBuilder();
        for (char c : pubsubPrefix.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                glob.append('\\');
            }
            glob.append(c);
        }
        // Segment characters never include glob metacharacters (ChannelName validates them).
        for (String segment : pattern.segments().subList(0, pattern.segments().size() - 1)) {
            glob.append('/').append(segment);
        }
        return bytes(glob.append("/*").toString());
    }

    /** The channel a pub/sub channel name stands for, or {@code null} if it is not one of ours or not valid. */
    ChannelName channelOf(byte[] pubsubName) {
        if (cluster && startsWith(pubsubName, shardPrefixBytes) && pubsubName[pubsubName.length - 1] == '}') {
            return channel(pubsubName, shardPrefixBytes.length, pubsubName.length - shardPrefixBytes.length - 1);
        }
        if (!startsWith(pubsubName, pubsubPrefixBytes)) {
            return null;
        }
        return channel(pubsubName, pubsubPrefixBytes.length, pubsubName.length - pubsubPrefixBytes.length);
    }

    private static boolean startsWith(byte[] name, byte[] start) {
        if (name.length <= start.length) {
            return false;
        }
        for (int i = 0; i < start.length; i++) {
            if (name[i] != start[i]) {
                return false;
            }
        }
        return true;
    }

    private static ChannelName channel(byte[] name, int from, int length) {
        try {
            return ChannelName.of(new String(name, from, length, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Hash of one session; the bucket's tag keeps it beside its index. */
    byte[] session(String id) {
        return bytes(sessionKeyPrefix(bucketOf(id)) + id);
    }

    /** What every session key of {@code bucket} starts with. */
    String sessionKeyPrefix(int bucket) {
        return prefix + "{sessions:" + bucket + "}:s:";
    }

    /**
     * String holding the id of the session named {@code name}; in the name's bucket, where named sessions'
     * ids are drawn, so that one script may touch both.
     */
    byte[] sessionName(String name) {
        return bytes(prefix + "{sessions:" + bucketOf(name) + "}:n:" + name);
    }

    /** Sorted set of the bucket's session ids by expiry (ms). */
    byte[] sessionIndex(int bucket) {
        return bytes(prefix + "{sessions:" + bucket + "}:expiry");
    }

    /** Hash of the members present on {@code channel}, by client id. */
    byte[] presence(ChannelName channel) {
        return bytes(presenceKeyPrefix(bucketOf(channel.value())) + channel.value());
    }

    /** What every presence key of {@code bucket} starts with. */
    String presenceKeyPrefix(int bucket) {
        return prefix + "{presence:" + bucket + "}:p:";
    }

    /** Sorted set of {@code <channel>\n<client id>} by expiry (ms). */
    byte[] presenceIndex(int bucket) {
        return bytes(prefix + "{presence:" + bucket + "}:expiry");
    }

    /** Hash of the users online (or leaving) on {@code channel}, by user id. */
    byte[] presenceUsers(ChannelName channel) {
        return bytes(presenceUsersPrefix(bucketOf(channel.value())) + channel.value());
    }

    /** What every presence users key of {@code bucket} starts with. */
    String presenceUsersPrefix(int bucket) {
        return prefix + "{presence:" + bucket + "}:u:";
    }

    /** Hash of the accumulated online time (ms) on {@code channel} by user id; never expires. */
    byte[] presenceTimes(ChannelName channel) {
        return bytes(presenceTimesPrefix(bucketOf(channel.value())) + channel.value());
    }

    /** What every online-time key of {@code bucket} starts with. */
    String presenceTimesPrefix(int bucket) {
        return prefix + "{presence:" + bucket + "}:t:";
    }

    /** Sorted set of {@code <channel>\n<user>} of users leaving, by when their last connection went (ms). */
    byte[] presenceOffline(int bucket) {
        return bytes(prefix + "{presence:" + bucket + "}:offline");
    }

    /** Counter giving joins their order. */
    byte[] presenceSequence(int bucket) {
        return bytes(prefix + "{presence:" + bucket + "}:seq");
    }

    /** The bucket of a session id or channel name; stable across processes (String.hashCode is specified). */
    static int bucketOf(String name) {
        return Math.floorMod(name.hashCode(), BUCKETS);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
