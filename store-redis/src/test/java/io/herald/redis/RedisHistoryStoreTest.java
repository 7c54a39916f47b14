package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** What the history contract cannot check without knowing Redis: partial losses, the key layout, failures. */
class RedisHistoryStoreTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static RedisClient redis;
    private static RedisPool pool;
    private static RedisKeys keys;
    private static RedisHistoryStore store;

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.rawClient();
        pool = RedisTestSupport.startedPool(PREFIX);
        keys = RedisTestSupport.keys(PREFIX);
        store = new RedisHistoryStore(pool, keys, Retention.Policy.uniform(Retention.DEFAULT));
    }

    @AfterAll
    static void disconnect() {
        RedisTestSupport.deleteKeys(redis, PREFIX);
        pool.stop();
        redis.close();
    }

    private static List<Message> append(ChannelName channel, int count) {
        return java.util.stream.IntStream.rangeClosed(1, count).mapToObj(n -> store.append(Publication.json(channel, "{\"n\":" + n + "}"))).toList();
    }

    @Test
    void keysCarryThePrefixAndTheChannelsHashTag() {
        ChannelName channel = ChannelName.of("/layout/room1");
        Message m = append(channel, 1).get(0);

        assertThat(redis.hgetAll(PREFIX + "{/layout/room1}:meta")).isEqualTo(Map.of("epoch", m.position().epoch(), "head", "1"));
        assertThat(redis.type(PREFIX + "{/layout/room1}:log")).isEqualTo("stream");
        assertThat(redis.xlen(PREFIX + "{/layout/room1}:log")).isEqualTo(1);
        assertThat(new String(keys.pubsub(channel), StandardCharsets.UTF_8)).isEqualTo(PREFIX + "pubsub:0:/layout/room1");
        assertThat(new String(keys.pubsubGlob(ChannelName.of("/layout/**")), StandardCharsets.UTF_8)).isEqualTo(PREFIX + "pubsub:0:/layout/*");
    }

    @Test
    void anEmptyChannelsEpochIsComputedNotStoredAndHoldsForItsFirstMessage() {
        ChannelName channel = ChannelName.of("/layout/empty");
        Position head = store.head(channel);
        assertThat(store.replay(channel, null, 10).head()).isEqualTo(head);
        assertThat(redis.exists(keys.meta(channel), keys.log(channel), keys.next(channel))).as("keys after reading an empty channel").isZero();

        Message first = store.append(Publication.json(channel, "{}"));
        assertThat(first.position()).isEqualTo(new Position(head.epoch(), 1));
        assertThat(redis.pttl(keys.meta(channel))).as("TTL of the meta once published to").isEqualTo(-1);
        assertThat(new String(redis.get(keys.next(channel)), StandardCharsets.UTF_8)).as("epoch set aside for a loss")
                .isNotEqualTo(head.epoch()).matches("[A-Za-z0-9]{1,16}");
    }

    @Test
    void aChannelRecreatedAfterAllItsKeysWereLostTakesTheEpochSetAside() {
        ChannelName channel = ChannelName.of("/lost/everything");
        Message first = append(channel, 1).get(0);
        String aside = new String(redis.get(keys.next(channel)), StandardCharsets.UTF_8);
        redis.del(keys.meta(channel), keys.log(channel));

        assertThat(store.head(channel)).isEqualTo(new Position(aside, 0));
        Message again = store.append(Publication.json(channel, "{}"));
        assertThat(again.position()).isEqualTo(new Position(aside, 1));
        assertThat(again.position().epoch()).isNotEqualTo(first.position().epoch());
        assertThat(new String(redis.get(keys.next(channel)), StandardCharsets.UTF_8)).isNotIn(aside, first.position().epoch());
    }

    @Test
    void losingOnlyTheLogStartsANewEpoch() {
        ChannelName channel = ChannelName.of("/lost/log");
        List<Message> before = append(channel, 3);
        redis.del(keys.log(channel));

        Position head = store.head(channel);
        assertThat(head.epoch()).isNotEqualTo(before.get(0).position().epoch());
        assertThat(head.offset()).isZero();
        assertThat(store.replay(channel, before.get(2).position(), 10).gap().reset()).isTrue();
        assertThat(store.append(Publication.json(channel, "{}")).position()).isEqualTo(new Position(head.epoch(), 1));
    }

    @Test
    void losingOnlyTheMetaStartsANewEpochAndDropsTheStaleLog() {
        ChannelName channel = ChannelName.of("/lost/meta");
        List<Message> before = append(channel, 3);
        redis.del(keys.meta(channel));

        Message next = store.append(Publication.json(channel, "{\"after\":true}"));
        assertThat(next.position().epoch()).isNotEqualTo(before.get(0).position().epoch());
        assertThat(next.offset()).isEqualTo(1);
        Replay replay = store.replay(channel, null, 10);
        assertThat(replay.messages()).as("history after the meta was lost: only the new epoch's").containsExactly(next);
    }

    @Test
    void aFailedAppendChangesNothing() {
        ChannelName channel = ChannelName.of("/failing/room");
        List<Message> before = append(channel, 2);
        // The log replaced by a value of the wrong type: the script's XADD fails before it writes anything.
        redis.del(keys.log(channel));
        redis.set(keys.log(channel), "not a stream".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.append(Publication.json(channel, "{}"))).isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot append to /failing/room: Redis at " + RedisEndpoint.parse(RedisTestSupport.URL) + " answered: ")
                .hasMessageContaining("WRONGTYPE");
        assertThat(redis.hgetAll(keys.meta(channel)).get("head".getBytes(StandardCharsets.UTF_8)))
                .as("head after the failed append").asString(StandardCharsets.UTF_8).isEqualTo("2");
        assertThat(before).hasSize(2);
    }

    @Test
    void appendsThroughAStoppedPoolFailClearly() {
        RedisPool stopped = new RedisPool(RedisTestSupport.options(PREFIX));
        RedisHistoryStore unstarted = new RedisHistoryStore(stopped, keys, Retention.Policy.uniform(Retention.DEFAULT));
        assertThatThrownBy(() -> unstarted.append(Publication.json(ChannelName.of("/x/y"), "{}"))).isInstanceOf(StoreException.class)
                .hasMessage("cannot append to /x/y: the Redis store is not started");
    }
}
