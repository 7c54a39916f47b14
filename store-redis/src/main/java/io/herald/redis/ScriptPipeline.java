package io.herald.redis;

import io.herald.api.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Scripts pipelined on one dedicated connection: callers do not wait for Redis, so one publisher can have many
 * appends in flight, as {@code redis-benchmark -P} or a Jedis {@code Pipeline} would.
 *
 * <p>A writer thread sends calls in the order they were made ({@code EVALSHA}), flushing whenever it has
 * nothing more to send (and every {@value #FLUSH_EVERY} calls), so a lone call goes out at once and a burst goes
 * out in few packets. A reader thread reads the replies, which Redis gives in the same order, and completes
 * each call's future. Redis runs the scripts one after the other in that order: calls get their effects (an
 * append, its offset) in the order they were made. Before a script's first use on a connection, its
 * {@code SCRIPT LOAD} goes ahead of it in the same pipeline.
 *
 * <p>At most {@value #MAX_IN_FLIGHT} calls are in flight; a caller beyond that waits for room (the reader
 * thread itself, completing a call whose dependents call again, never waits). When the connection breaks,
 * every call sent on it fails with a {@link StoreException} (a call whose reply was lost may have been done,
 * as with any remote store) and the next call connects again. A {@code NOSCRIPT} reply ({@code SCRIPT FLUSH}
 * without a restart) fails that call, which did nothing, and makes the writer load the scripts again.
 *
 * <p>Thread-safe. Started on first use by the {@link RedisPool}, stopped with it; on a Redis Cluster the pool
 * keeps one per master, so the order holds per slot.
 */
final class ScriptPipeline {

    static final int MAX_IN_FLIGHT = 1024;
    private static final int FLUSH_EVERY = 128;
    private static final byte[] LOAD = "LOAD".getBytes(StandardCharsets.US_ASCII);

    private final RedisPool pool;
    private final HostAndPort address;
    private final BlockingQueue<Call> outgoing = new LinkedBlockingQueue<>();
    private final BlockingQueue<Call> awaiting = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(MAX_IN_FLIGHT);
    private final Thread writer;
    private final Thread reader;
    private volatile boolean closed;
    private volatile boolean reload;

    /** Owned by the writer thread. */
    private PipelineConnection connection;
    private final Set<LuaScript> loaded = new HashSet<>();

    /** A pipeline to the Redis at {@code address}: the one Redis, or a master of a cluster. */
    ScriptPipeline(RedisPool pool, HostAndPort address) {
        this.pool = pool;
        this.address = address;
        String suffix = pool.slots() == null ? "" : "-" + address.getPort();
        this.writer = new Thread(this::writeLoop, "herald-redis-pipeline-writer" + suffix);
        this.reader = new Thread(this::readLoop, "herald-redis-pipeline-reader" + suffix);
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
    }

    /**
     * Sends {@code script}; the future completes with Redis's answer, or fails with {@link StoreException}.
     *
     * @param what what is being done, for the error message: {@code "append to /chat/room1"}
     */
    CompletableFuture<Object> eval(LuaScript script, List<byte[]> keys, List<byte[]> args, String what) {
        boolean permit;
        if (Thread.currentThread() == reader) {
            permit = room.tryAcquire();
        } else {
            try {
                room.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(new StoreException("cannot " + what + ": interrupted while waiting for Redis"));
            }
            permit = true;
        }
        Call call = new Call(script, command(script, keys, args), what);
        if (permit) {
            // However the call ends (answered, failed, stopped), its room is given back once.
            call.result.whenComplete((reply, failure) -> room.release());
        }
        outgoing.add(call);
        if (closed && outgoing.remove(call)) {
            fail(call, stopped(what));
        }
        return call.result;
    }

    /** Stops both threads; what is still queued or in flight fails. */
    void stop() {
        closed = true;
        writer.interrupt();
        reader.interrupt();
        PipelineConnection c = connection;
        if (c != null) {
            closeQuietly(c);
        }
        failAll(outgoing);
        failAll(awaiting);
    }

    private void writeLoop() {
        int unflushed = 0;
        while (!closed) {
            Call call = outgoing.poll();
            if (call == null) {
                flush();
                unflushed = 0;
                try {
                    call = outgoing.take();
                } catch (InterruptedException e) {
                    break;
                }
            }
            send(call);
            if (++unflushed >= FLUSH_EVERY) {
                flush();
                unflushed = 0;
            }
        }
        failAll(outgoing);
    }

    private void send(Call call) {
        PipelineConnection c = connection;
        boolean registered = false;
        try {
            if (c == null || c.dead || c.isBroken()) {
                c = null;
                c = connect();
            }
            if (reload) {
                reload = false;
                loaded.clear();
            }
            if (loaded.add(call.script)) {
                awaiting.add(Call.control(c, call.script));
                c.sendCommand(Protocol.Command.SCRIPT, LOAD, call.script.source());
            }
            call.connection = c;
            // Registered before it is written, so that the reader always knows which call a reply answers.
            awaiting.add(call);
            registered = true;
            c.sendCommand(Protocol.Command.EVALSHA, call.command);
        } catch (RuntimeException e) {
            if (c != null) {
                // The reader fails what was sent on this connection as it reaches it.
                disconnect(c);
            }
            if (!registered) {
                fail(call, e instanceof JedisException j ? pool.failure(call.what, j)
                        : new StoreException("cannot " + call.what + ": the Redis connection failed (" + e + ")", e));
            }
        }
    }

    private void flush() {
        PipelineConnection c = connection;
        if (c != null && !c.dead && !c.isBroken()) {
            try {
                c.flush();
            } catch (RuntimeException e) {
                disconnect(c);
            }
        }
    }

    private PipelineConnection connect() {
        connection = null;
        loaded.clear();
        PipelineConnection c = new PipelineConnection(address, RedisPool.clientConfig(pool.options(), "herald-pipeline"));
        connection = c;
        return c;
    }

    private void disconnect(PipelineConnection c) {
        closeQuietly(c);
        if (connection == c) {
            connection = null;
        }
    }

    /** Closes a connection that failed; Jedis's close may throw (it flushes first), which must not end a loop. */
    private static void closeQuietly(PipelineConnection c) {
        c.dead = true;
        c.setBroken();
        try {
            c.close();
        } catch (RuntimeException e) {
            // Already broken: nothing more to do with it.
        }
    }

    private void readLoop() {
        while (!closed) {
            Call call;
            try {
                call = awaiting.take();
            } catch (InterruptedException e) {
                break;
            }
            Object reply;
            try {
                if (call.connection.dead) {
                    throw new JedisConnectionException("the connection failed before this reply came");
                }
                reply = call.connection.getUnflushedObject();
            } catch (JedisNoScriptException e) {
                // Redis forgot its scripts while this connection lived: this call did nothing; load them again.
                reload = true;
                fail(call, pool.failure(call.what, e));
                continue;
            } catch (JedisDataException e) {
                // An error reply to this call alone; the connection is fine.
                fail(call, pool.failure(call.what, e));
                continue;
            } catch (RuntimeException e) {
                // The connection broke (or was closed by the writer): this call, and every later one sent on
                // it, fails; the writer connects again for the next.
                closeQuietly(call.connection);
                fail(call, e instanceof JedisException j ? pool.failure(call.what, j)
                        : new StoreException("cannot " + call.what + ": the Redis connection failed (" + e + ")", e));
                continue;
            }
            if (!call.isControl()) {
                call.result.complete(reply);
            }
        }
        failAll(awaiting);
    }

    private void failAll(BlockingQueue<Call> calls) {
        List<Call> left = new ArrayList<>();
        calls.drainTo(left);
        for (Call call : left) {
            fail(call, stopped(call.what));
        }
    }

    private static void fail(Call call, StoreException e) {
        if (!call.isControl()) {
            call.result.completeExceptionally(e);
        }
    }

    private static StoreException stopped(String what) {
        return new StoreException("cannot " + what + ": the Redis store is not started");
    }

    /** The arguments of {@code EVALSHA}: sha, key count, keys, arguments. */
    private static byte[][] command(LuaScript script, List<byte[]> keys, List<byte[]> args) {
        byte[][] command = new byte[2 + keys.size() + args.size()][];
        command[0] = script.sha1();
        command[1] = Integer.toString(keys.size()).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < keys.size(); i++) {
            command[2 + i] = keys.get(i);
        }
        for (int i = 0; i < args.size(); i++) {
            command[2 + keys.size() + i] = args.get(i);
        }
        return command;
    }

    /** One call, or (with no result) a {@code SCRIPT LOAD} sent ahead of one. */
    private static final class Call {
        final LuaScript script;
        final byte[][] command;
        final String what;
        final CompletableFuture<Object> result;
        /** The connection it was sent on; set by the writer before the reader sees the call. */
        volatile PipelineConnection connection;

        Call(LuaScript script, byte[][] command, String what) {
            this.script = script;
            this.command = command;
            this.what = what;
            this.result = new CompletableFuture<>();
        }

        private Call(PipelineConnection connection, LuaScript script) {
            this.script = script;
            this.command = null;
            this.what = "load " + script;
            this.result = null;
            this.connection = connection;
        }

        static Call control(PipelineConnection connection, LuaScript script) {
            return new Call(connection, script);
        }

        boolean isControl() {
            return result == null;
        }
    }

    /**
     * A Jedis connection whose writes can be flushed without reading, and which never reconnects by itself:
     * replies read after a silent reconnect would be matched to calls sent before it.
     */
    private static final class PipelineConnection extends Connection {
        /** Set before it is closed, by whichever thread saw it fail. */
        volatile boolean dead;
        private boolean opened;

        PipelineConnection(HostAndPort address, redis.clients.jedis.JedisClientConfig config) {
            super(address, config);
        }

        @Override
        public void connect() {
            if (opened && !isConnected()) {
                throw new JedisConnectionException("the pipeline connection was closed");
            }
            super.connect();
            opened = true;
        }

        @Override
        public void flush() {
            super.flush();
        }
    }
}
