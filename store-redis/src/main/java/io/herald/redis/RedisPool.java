package io.herald.redis;

import io.herald.api.Lifecycle;
import io.herald.api.StoreException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The node's pool of Redis connections for history, sessions and presence. It connects in {@link #start()},
 * checking the address, password and database with a {@code PING} so that a bad URL refuses the start with
 * one line; every later failure becomes a {@link StoreException} naming what was being done and where.
 *
 * <p>After a connection error the idle connections are dropped, so that once Redis is back (a restart, a
 * failover) the next call gets a fresh connection instead of a dead one. Besides the pool, one dedicated
 * connection pipelines scripts whose callers do not wait ({@link #evalAsync}, see {@link ScriptPipeline}).
 *
 * <p>On a Redis Cluster ({@code redis-cluster://}) the pool is Jedis's cluster client, which sends each
 * command to the master owning its keys' slot and follows {@code MOVED}/{@code ASK} itself; every script's
 * keys share one hash tag ({@link RedisKeys}), so each runs on one slot. Pipelined scripts go on one script
 * connection per master, routed by {@link ClusterSlots}: calls of one slot keep their order. A pipelined
 * call that meets a failover or a moved slot fails (it did nothing, or, when the connection broke, may have
 * been done, as on one Redis) and the slot map is read again for the next call.
 * Thread-safe.
 */
final class RedisPool implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RedisPool.class);

    private final RedisOptions options;
    private final ClusterSlots slots;
    private volatile UnifiedJedis client;
    /** The script connection of each master (one Redis: of its address); guarded by this. */
    private final Map<HostAndPort, ScriptPipeline> pipelines = new ConcurrentHashMap<>();

    RedisPool(RedisOptions options) {
        this.options = options;
        this.slots = options.endpoint().isCluster() ? new ClusterSlots(options) : null;
    }

    /** The client configuration every connection of this node uses, the pub/sub one included. */
    static JedisClientConfig clientConfig(RedisOptions options, String clientName) {
        RedisEndpoint e = options.endpoint();
        return DefaultJedisClientConfig.builder()
                .user(e.user())
                .password(e.password())
                .database(e.database())
                .ssl(e.tls())
                .connectionTimeoutMillis(options.timeoutMillis())
                .socketTimeoutMillis(options.timeoutMillis())
                .clientName(clientName)
                .build();
    }

    @Override
    public void start() {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(options.poolSize());
        pool.setMaxIdle(options.poolSize());
        pool.setMinIdle(0);
        pool.setMaxWait(options.timeout());
        pool.setJmxEnabled(false);
        UnifiedJedis c = null;
        try {
            if (slots != null) {
                c = RedisClusterClient.builder()
                        .nodes(new HashSet<>(options.endpoint().cluster()))
                        .clientConfig(clientConfig(options, "herald"))
                        .poolConfig(pool)
                        .build();
                slots.refresh();
            } else {
                c = RedisClient.builder()
                        .hostAndPort(options.endpoint().host(), options.endpoint().port())
                        .clientConfig(clientConfig(options, "herald"))
                        .poolConfig(pool)
                        .build();
            }
            c.ping();
        } catch (JedisException e) {
            if (c != null) {
                c.close();
            }
            throw new StoreException(startFailure(options.endpoint(), e), e);
        }
        client = c;
        LOG.info("connected to Redis at {} (pool of {}{}, key prefix '{}')", options.endpoint(), options.poolSize(),
                slots == null ? "" : " per master, " + slots.masters().size() + " masters", options.prefix());
    }

    @Override
    public void stop() {
        UnifiedJedis c = client;
        client = null;
        List<ScriptPipeline> stopped;
        synchronized (this) {
            stopped = List.copyOf(pipelines.values());
            pipelines.clear();
        }
        stopped.forEach(ScriptPipeline::stop);
        if (c != null) {
            c.close();
        }
    }

    RedisOptions options() {
        return options;
    }

    /** The slot map of the cluster, or {@code null} for one Redis. */
    ClusterSlots slots() {
        return slots;
    }

    /**
     * Runs {@code script} and returns Redis's answer.
     *
     * @param what what is being done, for the error message: {@code "append to /chat/room1"}
     * @throws StoreException if Redis cannot be reached or refuses
     */
    Object eval(LuaScript script, List<byte[]> keys, List<byte[]> args, String what) {
        return call(c -> {
            try {
                return c.evalsha(script.sha1(), keys, args);
            } catch (JedisNoScriptException e) {
                // Redis lost its script cache (restart, SCRIPT FLUSH): EVAL runs it and caches it again.
                return c.eval(script.source(), keys, args);
            }
        }, what);
    }

    /**
     * Runs {@code script} pipelined on the node's script connection, without waiting: calls get their effects
     * in the order they were made. The future fails with {@link StoreException} as {@link #eval} throws it.
     *
     * @param what what is being done, for the error message
     */
    CompletableFuture<Object> evalAsync(LuaScript script, List<byte[]> keys, List<byte[]> args, String what) {
        HostAndPort address;
        try {
            address = slots == null ? new HostAndPort(options.endpoint().host(), options.endpoint().port())
                    : slots.masterOf(ClusterSlots.slotOf(keys.get(0)));
        } catch (JedisException e) {
            return CompletableFuture.failedFuture(failure(what, e));
        }
        ScriptPipeline p;
        synchronized (this) {
            if (client == null) {
                return CompletableFuture.failedFuture(new StoreException("cannot " + what + ": the Redis store is not started"));
            }
            p = pipelines.computeIfAbsent(address, a -> new ScriptPipeline(this, a));
        }
        return p.eval(script, keys, args, what);
    }

    /**
     * Runs {@code command} with the client, turning Jedis failures into {@link StoreException}.
     *
     * @param what what is being done, for the error message
     */
    <T> T call(Function<UnifiedJedis, T> command, String what) {
        UnifiedJedis c = client;
        if (c == null) {
            throw new StoreException("cannot " + what + ": the Redis store is not started");
        }
        try {
            return command.apply(c);
        } catch (JedisException e) {
            if (e instanceof JedisConnectionException) {
                dropIdleConnections(c);
            }
            throw failure(what, e);
        }
    }

    /** The exception for a failed {@code what}: Redis unreachable, or what it answered. */
    StoreException failure(String what, JedisException e) {
        if (slots != null) {
            // A dead master, a failover, a moved slot: whichever, the map is read again before the next call.
            slots.markStale();
        }
        if (e instanceof JedisConnectionException) {
            return new StoreException("cannot " + what + ": Redis at " + options.endpoint() + " is unreachable (" + cause(e) + ")", e);
        }
        return new StoreException("cannot " + what + ": Redis at " + options.endpoint() + " answered: " + cause(e), e);
    }

    /** {@code null} when Redis answers a PING, else one line about why not. */
    String problem() {
        UnifiedJedis c = client;
        if (c == null) {
            return "not started";
        }
        try {
            c.ping();
            return null;
        } catch (JedisException e) {
            if (e instanceof JedisConnectionException) {
                dropIdleConnections(c);
            }
            return "Redis at " + options.endpoint() + ": " + cause(e);
        }
    }

    private static void dropIdleConnections(UnifiedJedis c) {
        if (!(c instanceof RedisClient single)) {
            return; // the cluster client replaces broken connections and re-reads its slot map itself
        }
        try {
            single.getPool().clear();
        } catch (RuntimeException e) {
            LOG.debug("cannot clear the Redis pool: {}", e.toString());
        }
    }

    /** The one line a refused start prints: where, and why. */
    static String startFailure(RedisEndpoint endpoint, JedisException e) {
        String why = cause(e);
        String lower = why.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("wrongpass") || lower.contains("noauth") || lower.contains("auth")) {
            return "cannot log in to Redis at " + endpoint + ": " + why;
        }
        if (lower.contains("db index")) {
            return "Redis at " + endpoint + " has no database " + endpoint.database() + ": " + why;
        }
        return "cannot connect to Redis at " + endpoint + ": " + why;
    }

    /** The most telling message of a Jedis failure: its own, plus the root cause's when that says more. */
    static String cause(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = null;
        if (root != e && root.getMessage() != null) {
            detail = root.getMessage();
        } else if (e.getSuppressed().length > 0 && e.getSuppressed()[0].getMessage() != null) {
            detail = e.getSuppressed()[0].getMessage();
        }
        if (detail != null && !message.contains(detail)) {
            message = message.replaceAll("\\.$", "") + ": " + detail;
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
