package io.herald.redis;

import io.herald.core.RandomIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis the tests run against: {@code HERALD_REDIS_URL}, else {@code redis://127.0.0.1:6379}. It is shared
 * with other test runs, so every test works under a key prefix of its own and never flushes or reconfigures
 * it; an unreachable Redis fails the tests.
 */
final class RedisTestSupport {

    static final String URL = System.getenv().getOrDefault("HERALD_REDIS_URL", "redis://127.0.0.1:6379");

    private RedisTestSupport() {
    }

    /** A fresh key prefix, so that tests never see each other's keys. */
    static String uniquePrefix() {
        return "herald-test:" + RandomIds.next(10) + ":";
    }

    static RedisOptions options(String prefix) {
        return new RedisOptions(RedisEndpoint.parse(URL), Duration.ofSeconds(2), 8, prefix);
    }

    static RedisOptions options(String url, String prefix) {
        return new RedisOptions(RedisEndpoint.parse(url), Duration.ofSeconds(2), 8, prefix);
    }

    /** A started pool on the shared Redis; it fails (StoreException) when Redis is unreachable. */
    static RedisPool startedPool(String prefix) {
        RedisPool pool = new RedisPool(options(prefix));
        pool.start();
        return pool;
    }

    static RedisKeys keys(String prefix) {
        return new RedisKeys(prefix, RedisEndpoint.parse(URL).database());
    }

    /** A plain client for what tests do behind the store's back. */
    static RedisClient rawClient() {
        return rawClient(URL);
    }

    /** Keys as a node on {@code url} names them (shard channels on a cluster). */
    static RedisKeys keys(String url, String prefix) {
        return RedisKeys.of(options(url, prefix));
    }

    /** A started pool on {@code url}, one Redis or a cluster. */
    static RedisPool startedPool(String url, String prefix) {
        RedisPool pool = new RedisPool(options(url, prefix));
        pool.start();
        return pool;
    }

    /** Deletes every key under {@code prefix} on each master of the cluster on {@code ports}. */
    static void deleteClusterKeys(List<Integer> ports, String prefix) {
        for (int port : ports) {
            try (Jedis node = RedisCluster.admin(port)) {
                if (!node.info("replication").contains("role:master")) {
                    continue;
                }
                String cursor = ScanParams.SCAN_POINTER_START;
                ScanParams match = new ScanParams().match(escapeGlob(prefix) + "*").count(1000);
                do {
                    ScanResult<String> page = node.scan(cursor, match);
                    page.getResult().forEach(node::del); // one at a time: they are in many slots
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            } catch (RuntimeException e) {
                // a node that is down holds nothing to delete
            }
        }
    }

    static RedisClient rawClient(String url) {
        RedisEndpoint e = RedisEndpoint.parse(url);
        return RedisClient.builder().hostAndPort(e.host(), e.port()).clientConfig(RedisPool.clientConfig(options(url, ""), "herald-test")).build();
    }

    /** Deletes every key under {@code prefix}. */
    static void deleteKeys(RedisClient redis, String prefix) {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(escapeGlob(prefix) + "*").count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, match);
            List<String> found = new ArrayList<>(page.getResult());
            if (!found.isEmpty()) {
                redis.del(found.toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    /** A single connection for administrative commands (CLIENT KILL, SHUTDOWN). */
    static Jedis admin(String url) {
        RedisEndpoint e = RedisEndpoint.parse(url);
        return new Jedis(new HostAndPort(e.host(), e.port()), RedisPool.clientConfig(options(url, ""), "herald-test-admin"));
    }

    /** Kills the connection named {@code clientName}, found with {@code CLIENT LIST}. */
    static void killClient(Jedis admin, String clientName) {
        for (String line : admin.clientList().split("\n")) {
            if (line.contains(" name=" + clientName + " ")) {
                for (String field : line.split(" ")) {
                    if (field.startsWith("id=")) {
                        admin.clientKill(ClientKillParams.clientKillParams().id(field.substring(3)));
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no connection named " + clientName + " in CLIENT LIST");
    }

    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
