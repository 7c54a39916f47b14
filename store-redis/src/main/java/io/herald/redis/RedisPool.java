package io.herald.redis;

import io.herald.api.Lifecycle;
import io.herald.api.StoreException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
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
 * Thread-safe.
 */
final class RedisPool implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RedisPool.class);

    private final RedisOptions options;
    private volatile RedisClient client;
    private ScriptPipeline pipeline;

    RedisPool(RedisOptions options) {
        this.options = options;
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
        RedisClient c = RedisClient.builder()
                .hostAndPort(options.endpoint().host(), options.endpoint().port())
                .clientConfig(clientConfig(options, "herald"))
                .poolConfig(pool)
                .build();
        try {
            c.ping();
        } catch (JedisException e) {
            c.close();
            throw new StoreException(startFailure(options.endpoint(), e), e);
        }
        client = c;
        LOG.info("connected to Redis at {} (pool of {}, key prefix '{}')", options.endpoint(), options.poolSize(), options.prefix());
    }

    @Override
    public void stop() {
        RedisClient c = client;
        client = null;
        ScriptPipeline p;
        synchronized (this) {
            p = pipeline;
            pipeline = null;
        }
        if (p != null) {
            p.stop();
        }
        if (c != null) {
            c.close();
        }
    }

    RedisOptions options() {
        return options;
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
        ScriptPipeline p;
        synchronized (this) {
            if (client == null) {
                return CompletableFuture.failedFuture(new StoreException("cannot " + what + ": the Redis store is not started"));
            }
            if (pipeline == null) {
                pipeline = new ScriptPipeline(this);
            }
            p = pipeline;
        }
        return p.eval(script, keys, args, what);
    }

    /**
     * Runs {@code command} with the client, turning Jedis failures into {@link StoreException}.
     *
     * @param what what is being done, for the error message
     */
    <T> T call(Function<RedisClient, T> command, String what) {
        RedisClient c = client;
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
        if (e instanceof JedisConnectionException) {
            return new StoreException("cannot " + what + ": Redis at " + options.endpoint() + " is unreachable (" + cause(e) + ")", e);
        }
        return new StoreException("cannot " + what + ": Redis at " + options.endpoint() + " answered: " + cause(e), e);
    }

    /** {@code null} when Redis answers a PING, else one line about why not. */
    String problem() {
        RedisClient c = client;
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

    private static void dropIdleConnections(RedisClient c) {
        try {
            c.getPool().clear();
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
