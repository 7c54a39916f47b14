package io.herald.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Which master of a Redis Cluster owns each hash slot, read with {@code CLUSTER SLOTS} from the masters
 * known so far, then from the URL's seed nodes. The pipelined scripts ({@link RedisPool#evalAsync}) and the
 * broker's shard connections are routed by it. It is read again, on the next use, once {@link #markStale()}
 * says it may be wrong: after a connection to a master failed, a {@code MOVED}/{@code ASK} or
 * {@code CLUSTERDOWN} reply, a failover. Thread-safe.
 */
final class ClusterSlots {

    static final int SLOTS = 16384;

    private final RedisOptions options;
    private volatile HostAndPort[] masters;
    private volatile boolean stale = true;

    ClusterSlots(RedisOptions options) {
        this.options = options;
    }

    /** The slot of a key or shard channel (its hash tag's, when it has one). */
    static int slotOf(byte[] key) {
        return JedisClusterCRC16.getSlot(key);
    }

    /**
     * The master owning {@code slot}, reading the map again first if it is stale.
     *
     * @throws JedisException when no node answers, or the slot has no master (the cluster is down)
     */
    HostAndPort masterOf(int slot) {
        HostAndPort[] current = current();
        HostAndPort master = current[slot];
        if (master == null) {
            stale = true;
            throw new JedisConnectionException("no master of Redis Cluster " + options.endpoint() + " serves slot " + slot);
        }
        return master;
    }

    /** The distinct masters owning slots, in slot order. */
    List<HostAndPort> masters() {
        return List.copyOf(new LinkedHashSet<>(Arrays.stream(current()).filter(m -> m != null).toList()));
    }

    /** The map may be out of date: read it again on next use. */
    void markStale() {
        stale = true;
    }

    private HostAndPort[] current() {
        HostAndPort[] current = masters;
        if (current == null || stale) {
            current = refresh();
        }
        return current;
    }

    /** Reads the map from the first node that answers. */
    synchronized HostAndPort[] refresh() {
        if (!stale && masters != null) {
            return masters;
        }
        Set<HostAndPort> candidates = new LinkedHashSet<>();
        if (masters != null) {
            Arrays.stream(masters).filter(m -> m != null).forEach(candidates::add);
        }
        candidates.addAll(options.endpoint().cluster());
        JedisException last = null;
        for (HostAndPort node : candidates) {
            try (Connection c = new Connection(node, RedisPool.clientConfig(options, "herald-topology"))) {
                HostAndPort[] read = parse(c.executeCommand(new CommandArguments(Protocol.Command.CLUSTER).add("SLOTS")));
                masters = read;
                stale = false;
                return read;
            } catch (JedisException e) {
                last = e;
            }
        }
        throw last != null ? last : new JedisConnectionException("Redis Cluster " + options.endpoint() + " names no node");
    }

    /** {@code CLUSTER SLOTS}: {@code [[start, end, [host, port, id, ...], replicas...], ...]}. */
    private static HostAndPort[] parse(Object reply) {
        HostAndPort[] bySlot = new HostAndPort[SLOTS];
        for (Object range : (List<?>) reply) {
            List<?> r = (List<?>) range;
            int start = ((Long) r.get(0)).intValue();
            int end = ((Long) r.get(1)).intValue();
            List<?> master = (List<?>) r.get(2);
            HostAndPort address = new HostAndPort(new String((byte[]) master.get(0), StandardCharsets.UTF_8), ((Long) master.get(1)).intValue());
            Arrays.fill(bySlot, start, end + 1, address);
        }
        return bySlot;
    }
}
