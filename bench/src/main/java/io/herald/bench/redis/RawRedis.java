package io.herald.bench.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The raw ceiling: the Redis commands Herald's store issues, sent by Jedis on ONE connection with nothing of
 * Herald around them. The append is the very script the store runs ({@code history-append.lua}, read from
 * the store's jar) with the same keys (the layout the store's README documents) and arguments of the same
 * sizes; the replay is the {@code XRANGE} paging the read script does. Not thread-safe.
 */
final class RawRedis implements AutoCloseable {

    private final Jedis jedis;
    private final String prefix;
    private final byte[] sha;

    RawRedis(String url, String prefix) {
        URI uri = URI.create(url);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(10_000);
        if (uri.getUserInfo() != null) {
            config.password(uri.getUserInfo().substring(uri.getUserInfo().indexOf(':') + 1));
        }
        if (uri.getPath() != null && uri.getPath().length() > 1) {
            config.database(Integer.parseInt(uri.getPath().substring(1)));
        }
        this.jedis = new Jedis(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), config.build());
        this.prefix = prefix;
        this.sha = jedis.scriptLoad(appendScript());
    }

    /** Redis's {@code INFO server} version line, for the report. */
    String version() {
        for (String line : jedis.info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length());
            }
        }
        return "?";
    }

    /** One append of {@code bodySize} bytes to {@code channel}, exactly as the store sends it. */
    private List<byte[]> keys(String channel) {
        return List.of(bytes(prefix + "{" + channel + "}:meta"), bytes(prefix + "{" + channel + "}:log"),
                bytes(prefix + "{" + channel + "}:next"), bytes(prefix + "{" + channel + "}:ids"));
    }

    /** The store's arguments for a publication without an id (the last one, empty). */
    private List<byte[]> args(String channel, byte[] body, int retention) {
        return List.of(bytes("Bench0001"), bytes(Integer.toString(retention)), bytes("0"), body, bytes(prefix + "pubsub:0:" + channel),
                bytes("Bench0002"), new byte[0]);
    }

    /** Appends one at a time, each waiting for its reply; returns appends per second and records latencies (ns). */
    double appendOneByOne(String channel, int bodySize, int count, Histogram latencies) {
        byte[] body = new byte[bodySize];
        List<byte[]> keys = keys(channel);
        List<byte[]> args = args(channel, body, 100);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            jedis.evalsha(sha, keys, args);
            latencies.recordValue(System.nanoTime() - t0);
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Appends in pipelined batches of {@code batch}; returns appends per second. */
    double appendPipelined(String channel, int bodySize, int count, int batch) {
        byte[] body = new byte[bodySize];
        List<byte[]> keys = keys(channel);
        List<byte[]> args = args(channel, body, 100);
        long start = System.nanoTime();
        for (int done = 0; done < count; done += batch) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < batch; i++) {
                pipeline.evalsha(sha, keys, args);
            }
            pipeline.sync();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Fills {@code channel} with {@code count} messages kept in full (retention {@code count}). */
    void fill(String channel, int bodySize, int count) {
        byte[] body = new byte[bodySize];
        List<byte[]> keys = keys(channel);
        List<byte[]> args = args(channel, body, count);
        for (int done = 0; done < count; done += 100) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = done; i < Math.min(count, done + 100); i++) {
                pipeline.evalsha(sha, keys, args);
            }
            pipeline.sync();
        }
    }

    /** Reads every message of {@code channel}'s stream in pages of {@code page}; returns messages per second. */
    double readAll(String channel, int page, int expected) {
        byte[] log = bytes(prefix + "{" + channel + "}:log");
        byte[] end = bytes("+");
        long start = System.nanoTime();
        int read = 0;
        long next = 1;
        while (read < expected) {
            List<Object> entries = jedis.xrange(log, bytes(next + "-0"), end, page);
            if (entries.isEmpty()) {
                break;
            }
            read += entries.size();
            String lastId = new String((byte[]) ((List<?>) entries.get(entries.size() - 1)).get(0), StandardCharsets.US_ASCII);
            next = Long.parseLong(lastId.substring(0, lastId.indexOf('-'))) + 1;
        }
        double rate = read / ((System.nanoTime() - start) / 1e9);
        if (read != expected) {
            throw new IllegalStateException("raw replay read " + read + " of " + expected + " messages of " + channel);
        }
        return rate;
    }

    /** Deletes the keys of {@code channels}. */
    void delete(List<String> channels) {
        List<String> keys = new ArrayList<>();
        for (String c : channels) {
            keys.add(prefix + "{" + c + "}:meta");
            keys.add(prefix + "{" + c + "}:log");
            keys.add(prefix + "{" + c + "}:next");
            keys.add(prefix + "{" + c + "}:ids");
        }
        jedis.del(keys.toArray(String[]::new));
    }

    @Override
    public void close() {
        jedis.close();
    }

    /** The append script as the store runs it: its shared functions, then the script. */
    private static byte[] appendScript() {
        java.io.ByteArrayOutputStream script = new java.io.ByteArrayOutputStream();
        for (String part : new String[] {"history-lib.lua", "history-append.lua"}) {
            try (InputStream in = RawRedis.class.getClassLoader().getResourceAsStream("io/herald/redis/" + part)) {
                if (in == null) {
                    throw new IllegalStateException(part + " is not on the class path: is herald-store-redis?");
                }
                script.writeBytes(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return script.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
