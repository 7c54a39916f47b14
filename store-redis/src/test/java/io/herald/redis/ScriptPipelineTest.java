package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Publication;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/** Pipelined appends ({@code appendAsync}) against what only Redis can do to them: error replies, lost scripts, killed connections. */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a lost reply must fail its future; if one never completes, fail rather than hang the build
class ScriptPipelineTest {

    private static final ChannelName ROOM = ChannelName.of("/pipeline/room");

    @Test
    void anErrorReplyFailsItsAppendAloneAndTheOthersInFlightGoThrough() {
        String prefix = RedisTestSupport.uniquePrefix();
        RedisPool pool = RedisTestSupport.startedPool(prefix);
        RedisKeys keys = RedisTestSupport.keys(prefix);
        try (RedisClient redis = RedisTestSupport.rawClient()) {
            RedisHistoryStore store = new RedisHistoryStore(pool, keys, Retention.Policy.uniform(Retention.DEFAULT));
            ChannelName broken = ChannelName.of("/pipeline/broken");
            store.append(Publication.json(broken, "{}"));
            // The log replaced by a value of the wrong type: the script's XADD fails before it writes anything.
            redis.del(keys.log(broken));
            redis.set(keys.log(broken), "not a stream".getBytes(StandardCharsets.UTF_8));

            List<CompletableFuture<Appended>> good = new ArrayList<>();
            List<CompletableFuture<Appended>> bad = new ArrayList<>();
            for (int n = 1; n <= 200; n++) {
                good.add(store.appendAsync(Publication.json(ROOM, "{\"n\":" + n + "}")));
                if (n % 50 == 0) {
                    bad.add(store.appendAsync(Publication.json(broken, "{}")));
                }
            }

            assertThat(good).extracting(f -> f.join().message().offset()).as("offsets of the appends around the failing ones")
                    .isEqualTo(LongStream.rangeClosed(1, 200).boxed().toList());
            assertThat(bad).allSatisfy(f -> assertThat(failureOf(f)).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("cannot append to /pipeline/broken: Redis at ").hasMessageContaining("WRONGTYPE"));
            RedisTestSupport.deleteKeys(redis, prefix);
        } finally {
            pool.stop();
        }
    }

    @Test
    void theIdsOfTrimmedMessagesLeaveWithThem() {
        String prefix = RedisTestSupport.uniquePrefix();
        RedisPool pool = RedisTestSupport.startedPool(prefix);
        RedisKeys keys = RedisTestSupport.keys(prefix);
        try (RedisClient redis = RedisTestSupport.rawClient()) {
            RedisHistoryStore store = new RedisHistoryStore(pool, keys, Retention.Policy.uniform(new Retention(10, java.time.Duration.ZERO)));
            List<CompletableFuture<Appended>> appends = new ArrayList<>();
            for (int n = 1; n <= 100; n++) {
                appends.add(store.appendAsync(new Publication(ROOM, "id-" + n, null, Payload.utf8("{}"), null, null)));
            }
            appends.forEach(CompletableFuture::join);

            assertThat(redis.zrange(keys.ids(ROOM), 0, -1).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()).as("ids kept for a channel retaining 10 messages")
                    .containsExactlyElementsOf(LongStream.rangeClosed(91, 100).mapToObj(n -> "id-" + n).toList());
            RedisTestSupport.deleteKeys(redis, prefix);
        } finally {
            pool.stop();
        }
    }

    @Test
    void forgottenScriptsAndKilledConnectionsFailOnlyWhatWasInFlight() throws Exception {
        try (PrivateRedis server = PrivateRedis.start(null, false); Jedis admin = RedisTestSupport.admin(server.url())) {
            String prefix = RedisTestSupport.uniquePrefix();
            RedisPool pool = new RedisPool(RedisTestSupport.options(server.url(), prefix));
            pool.start();
            try {
                RedisHistoryStore store = new RedisHistoryStore(pool, RedisTestSupport.keys(prefix), Retention.Policy.uniform(Retention.DEFAULT));
                List<Message> stored = new ArrayList<>();
                stored.add(store.appendAsync(Publication.json(ROOM, "1")).join().message());

                admin.scriptFlush();
                stored.addAll(appendUntilOneSucceeds(store, "NOSCRIPT"));
                assertThat(store.replay(ROOM, null, 10).messages()).as("history: an append refused with NOSCRIPT did nothing")
                        .isEqualTo(stored);

                RedisTestSupport.killClient(admin, "herald-pipeline");
                Message afterKill = appendUntilOneSucceeds(store, "Redis at " + server.url()).get(0);
                List<Message> history = store.replay(ROOM, null, 10).messages();
                // Redis may run a command that reached it just before the kill and lose only its reply.
                assertThat(history.size()).as("messages stored across the kill").isBetween(3, 4);
                assertThat(history.subList(0, 2)).isEqualTo(stored);
                assertThat(history.get(history.size() - 1)).as("the append that succeeded after the kill").isEqualTo(afterKill);
            } finally {
                pool.stop();
            }
        }
    }

    /**
     * Appends until one succeeds, three tries at most: the append in flight when the script or the connection
     * was lost may fail, saying {@code why}; the next one must succeed.
     */
    private static List<Message> appendUntilOneSucceeds(RedisHistoryStore store, String why) {
        List<Throwable> failures = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return List.of(store.appendAsync(Publication.json(ROOM, "2")).join().message());
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures).as("failed appends").allSatisfy(e -> assertThat(e).isInstanceOf(StoreException.class).hasMessageContaining(why));
        throw new AssertionError("no append succeeded in 3 tries after the loss: " + failures);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
