package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link HistoryStore}, as its Javadoc and those of {@link Replay}, {@link Gap} and
 * {@link Position} state it: every history store runs it.
 *
 * <p>A backend extends this class and says how to make a store and how to lose a channel's history:
 * <pre>{@code
 * class RedisHistoryStoreContractTest extends HistoryStoreContract {
 *     @Override
 *     protected HistoryStore createStore(Retention.Policy retention) {
 *         return new RedisHistoryStore(redis, "test:" + RandomIds.next(8) + ":", retention);
 *     }
 *
 *     @Override
 *     protected void loseHistory(ChannelName channel) {
 *         redis.del(keysOf(channel)); // what an eviction does
 *     }
 * }
 * }</pre>
 *
 * <p>The store is made in {@code @BeforeEach} by {@link #createStore}, started if it is a
 * {@link io.herald.api.Lifecycle}, and closed in {@code @AfterEach} by {@link #closeStore}. Each test uses
 * channels under a namespace of its own, {@code /<random>/<kind>/<name>}, so a store shared between tests
 * (one Redis) needs no flushing. The retention policy handed to {@link #createStore} depends on
 * {@code <kind>}: {@code count} keeps {@value #COUNT_RETENTION} messages, {@code age} drops messages older
 * than {@link TestEnvironment#shortTtl()}, anything else keeps {@value #LARGE_RETENTION}; the store must
 * apply it per channel.
 *
 * <p>Test names say which rule they check: {@code required_history_<group>_<n>_<rule>}. Not thread-safe; JUnit
 * makes one instance per test.
 */
public abstract class HistoryStoreContract {

    /** Messages kept by channels of kind {@code count}. */
    protected static final int COUNT_RETENTION = 5;
    /** Messages kept by channels of kind {@code plain} and {@code age}: more than any test appends. */
    protected static final int LARGE_RETENTION = 10_000;

    private TestEnvironment env;
    private Retention.Policy retention;
    private HistoryStore store;
    private String namespace;

    /** Makes a fresh store applying {@code retention}; it is started if it is a {@code Lifecycle}. */
    protected abstract HistoryStore createStore(Retention.Policy retention);

    /**
     * Loses the history of {@code channel} behind the store's back, as a Redis eviction or a restart of an
     * in-memory store does. Afterwards the channel's epoch must differ and its offsets restart at 1. A memory
     * store is replaced: {@code replaceStore(createStore(retention()))}. Must not use the store's own API to
     * do it.
     */
    protected abstract void loseHistory(ChannelName channel) throws Exception;

    /**
     * Makes a new store over the same backend data as the store under test, as a restarted server would, or
     * returns {@code null} for a store whose history lives only in its process; the {@code optional_} restart
     * test is skipped then.
     */
    protected HistoryStore restartStore() throws Exception {
        return null;
    }

    /** Closes a store made by {@link #createStore}: {@code Lifecycle.stop()}, else {@code close()}. */
    protected void closeStore(HistoryStore store) throws Exception {
        Lifecycles.stop(store);
    }

    /** Timeouts and TTLs; {@link TestEnvironment#fromEnvironment()} unless overridden. */
    protected TestEnvironment environment() {
        return TestEnvironment.fromEnvironment();
    }

    /** The store under test. */
    protected final HistoryStore store() {
        return store;
    }

    /** The retention policy the store under test was made with. */
    protected final Retention.Policy retention() {
        return retention;
    }

    /** Closes the store under test and puts {@code replacement}, started, in its place. */
    protected final void replaceStore(HistoryStore replacement) throws Exception {
        HistoryStore old = store;
        store = replacement;
        Lifecycles.start(replacement);
        closeStore(old);
    }

    @BeforeEach
    final void setUpHistoryStore() {
        env = environment();
        namespace = "h" + RandomIds.next(10);
        Duration maxAge = env.shortTtl();
        String ns = namespace;
        retention = channel -> {
            boolean ours = channel.segments().size() > 1 && channel.segments().get(0).equals(ns);
            String kind = ours ? channel.segments().get(1) : "";
            return switch (kind) {
                case "count" -> new Retention(COUNT_RETENTION, Duration.ZERO);
                case "age" -> new Retention(LARGE_RETENTION, maxAge);
                default -> new Retention(LARGE_RETENTION, Duration.ZERO);
            };
        };
        store = createStore(retention);
        Lifecycles.start(store);
    }

    @AfterEach
    final void tearDownHistoryStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    // --- helpers ---

    /** A channel of this test with large retention. */
    protected final ChannelName channel(String name) {
        return ChannelName.of("/" + namespace + "/plain/" + name);
    }

    ChannelName countChannel(String name) {
        return ChannelName.of("/" + namespace + "/count/" + name);
    }

    ChannelName ageChannel(String name) {
        return ChannelName.of("/" + namespace + "/age/" + name);
    }

    private Message append(ChannelName channel, int n) {
        return store.append(Publication.json(channel, "{\"n\":" + n + "}"));
    }

    private List<Message> appendAll(ChannelName channel, int count) {
        List<Message> messages = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            messages.add(append(channel, i));
        }
        return messages;
    }

    private static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static Position at(Message message, long offset) {
        return new Position(message.position().epoch(), offset);
    }

    /** An epoch that is valid and differs from {@code epoch}. */
    private static String otherEpoch(String epoch) {
        String candidate = "other" + RandomIds.next(6);
        return candidate.equals(epoch) ? "another" + RandomIds.next(6) : candidate;
    }

    /** Every retained message of {@code channel}, read page by page. */
    private List<Message> readAll(ChannelName channel, int pageSize) {
        List<Message> all = new ArrayList<>();
        Position after = null;
        for (int pages = 0; pages <= LARGE_RETENTION / pageSize + 1; pages++) {
            Replay page = store.replay(channel, after, pageSize);
            all.addAll(page.messages());
            if (page.complete()) {
                return all;
            }
            assertThat(page.messages()).as("replay of %s after %s said it was incomplete but returned nothing", channel, after)
                    .isNotEmpty();
            after = page.lastOr(after);
        }
        throw new AssertionError("replay of " + channel + " never said it was complete");
    }

    /** A second store over the same data, started, as another node would have; {@code null} for a process-only store. */
    HistoryStore otherNode() throws Exception {
        HistoryStore other = restartStore();
        if (other != null) {
            Lifecycles.start(other);
        }
        return other;
    }

    <T> List<T> runConcurrently(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    // --- the contract ---

    @Nested
    @DisplayName("1. positions")
    class Positions {

        @Test
        @DisplayName("appends to a channel get consecutive offsets from 1 in one epoch")
        void required_history_1_1_consecutiveOffsetsFromOne() {
            ChannelName channel = channel("a");
            List<Message> messages = appendAll(channel, 5);

            assertThat(offsets(messages)).as("offsets of 5 appends to a new channel").isEqualTo(range(1, 5));
            String epoch = messages.get(0).position().epoch();
            assertThat(Position.isValidEpoch(epoch)).as("epoch '%s' is 1 to 16 of [A-Za-z0-9]", epoch).isTrue();
            assertThat(messages).as("epochs of one channel's messages").allSatisfy(m -> assertThat(m.position().epoch()).isEqualTo(epoch));
            assertThat(messages).as("channel of appended messages").allSatisfy(m -> assertThat(m.channel()).isEqualTo(channel));
            assertThat(store.head(channel)).as("head after 5 appends").isEqualTo(messages.get(4).position());
        }

        @Test
        @DisplayName("the head of a channel never published to is offset 0 with a valid, stable epoch")
        void required_history_1_2_headOfUnknownChannelIsOffsetZero() {
            ChannelName channel = channel("never");
            Position head = store.head(channel);

            assertThat(head.offset()).as("head offset of a channel never published to").isZero();
            assertThat(Position.isValidEpoch(head.epoch())).as("epoch of a channel never published to").isTrue();
            assertThat(store.head(channel)).as("head of the same unknown channel asked twice").isEqualTo(head);
            Replay replay = store.replay(channel, null, 10);
            assertThat(replay.messages()).as("replay of a channel never published to").isEmpty();
            assertThat(replay.gap()).as("gap of a replay from null of a channel never published to").isNull();
            assertThat(replay.complete()).as("replay of an empty channel is complete").isTrue();
            assertThat(replay.head()).as("replay head of a channel never published to").isEqualTo(head);
        }

        @Test
        @DisplayName("a position held before the first message resumes without a gap")
        void required_history_1_3_positionHeldBeforeFirstMessageResumes() {
            ChannelName channel = channel("early");
            Position held = store.head(channel);
            List<Message> messages = appendAll(channel, 2);

            assertThat(messages.get(0).position()).as("first message after a head of (epoch, 0) was read")
                    .isEqualTo(new Position(held.epoch(), 1));
            Replay replay = store.replay(channel, held, 10);
            assertThat(replay.gap()).as("gap when resuming from the head read before the first message").isNull();
            assertThat(replay.messages()).as("messages after the head read before the first message").isEqualTo(messages);
        }

        @Test
        @DisplayName("concurrent appends get distinct consecutive offsets and replay returns them all in order")
        void required_history_1_4_concurrentAppendsGetDistinctConsecutiveOffsets() throws Exception {
            ChannelName hot = channel("hot");
            List<ChannelName> others = List.of(channel("side1"), channel("side2"));
            int threads = 8;
            int perThread = 500;
            int perOther = 200;
            List<Callable<List<Message>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> appendAll(hot, perThread));
            }
            for (ChannelName other : others) {
                tasks.add(() -> appendAll(other, perOther));
            }
            List<List<Message>> results = runConcurrently(tasks);

            List<Message> hotMessages = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Long> mine = offsets(results.get(t));
                assertThat(mine).as("offsets one thread got on %s, in the order it appended", hot).isSorted();
                hotMessages.addAll(results.get(t));
            }
            List<Long> all = offsets(hotMessages);
            assertThat(all).as("offsets handed out on %s by %d threads appending concurrently", hot, threads)
                    .doesNotHaveDuplicates();
            assertThat(all.stream().sorted().toList()).as("offsets handed out on %s are consecutive from 1", hot)
                    .isEqualTo(range(1, (long) threads * perThread));

            Map<Long, Message> byOffset = new LinkedHashMap<>();
            hotMessages.forEach(m -> byOffset.put(m.offset(), m));
            List<Message> replayed = readAll(hot, 1000);
            assertThat(offsets(replayed)).as("offsets replayed from %s after concurrent appends", hot)
                    .isEqualTo(range(1, (long) threads * perThread));
            for (Message m : replayed) {
                assertThat(m).as("replayed message at offset %d of %s", m.offset(), hot).isEqualTo(byOffset.get(m.offset()));
            }
            for (int i = 0; i < others.size(); i++) {
                assertThat(offsets(results.get(threads + i))).as("offsets of %s appended beside the concurrent ones", others.get(i))
                        .isEqualTo(range(1, perOther));
                assertThat(offsets(readAll(others.get(i), 1000))).as("offsets replayed from %s", others.get(i))
                        .isEqualTo(range(1, perOther));
            }
        }

        @Test
        @DisplayName("a message is visible to replay as soon as append returns, under concurrent appends too")
        void required_history_1_5_appendedMessageIsVisibleAtOnce() throws Exception {
            ChannelName channel = channel("visible");
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        Message m = append(channel, i);
                        Replay replay = store.replay(channel, at(m, m.offset() - 1), 1);
                        if (replay.messages().isEmpty() || !replay.messages().get(0).equals(m)) {
                            problems.add("after append returned " + m.position() + ", replay from " + (m.offset() - 1)
                                    + " gave " + offsets(replay.messages()));
                        }
                    }
                    return problems;
                });
            }
            List<String> problems = runConcurrently(tasks).stream().flatMap(List::stream).toList();
            assertThat(problems).as("messages not visible to replay right after append returned on %s", channel).isEmpty();
        }

        @Test
        @DisplayName("channels have independent offsets and histories")
        void required_history_1_6_channelsAreIndependent() {
            ChannelName a = channel("a");
            ChannelName b = channel("b");
            List<Message> inA = appendAll(a, 3);
            List<Message> inB = appendAll(b, 2);

            assertThat(offsets(inB)).as("offsets of %s after 3 appends to %s", b, a).isEqualTo(range(1, 2));
            assertThat(store.head(a).offset()).as("head offset of %s", a).isEqualTo(3);
            assertThat(store.head(b).offset()).as("head offset of %s", b).isEqualTo(2);
            assertThat(store.replay(a, null, 100).messages()).as("replay of %s", a).isEqualTo(inA);
            assertThat(store.replay(b, null, 100).messages()).as("replay of %s", b).isEqualTo(inB);
        }
    }

    @Nested
    @DisplayName("2. retention")
    class RetentionRules {

        @Test
        @DisplayName("count retention keeps the newest messages and replay from null starts at the oldest without a gap")
        void required_history_2_1_countRetentionKeepsTheNewest() {
            ChannelName channel = countChannel("c");
            appendAll(channel, 12);

            Replay replay = store.replay(channel, null, 100);
            assertThat(offsets(replay.messages())).as("offsets retained by %s keeping %d", channel, COUNT_RETENTION)
                    .isEqualTo(range(8, 12));
            assertThat(replay.gap()).as("gap of a replay from null (oldest retained, never a gap)").isNull();
            assertThat(replay.complete()).as("replay of everything retained is complete").isTrue();
            assertThat(store.head(channel).offset()).as("head offset after trimming").isEqualTo(12);
        }

        @Test
        @DisplayName("offsets are never reused within an epoch, whatever was dropped")
        void required_history_2_2_offsetsAreNotReusedAfterTrimming() {
            ChannelName channel = countChannel("c");
            List<Message> first = appendAll(channel, 12);
            Message next = append(channel, 13);

            assertThat(next.position()).as("position of the append after 12 on a channel keeping %d", COUNT_RETENTION)
                    .isEqualTo(at(first.get(0), 13));
        }

        @Test
        @DisplayName("a position older than retention gets a retention gap counting exactly what is lost")
        void required_history_2_3_retentionGapCountsWhatIsLost() {
            ChannelName channel = countChannel("c");
            List<Message> messages = appendAll(channel, 12);
            Message first = messages.get(0);

            Replay fromThree = store.replay(channel, at(first, 3), 100);
            assertThat(fromThree.gap()).as("retention gap after offset 3 when 8..12 are retained")
                    .isEqualTo(new Gap(channel, first.position().epoch(), 3L, 8, 4L, false));
            assertThat(fromThree.messages()).as("messages after a retention gap").isEqualTo(messages.subList(7, 12));
            assertThat(fromThree.complete()).as("replay after a retention gap reaching the head is complete").isTrue();

            Replay fromStart = store.replay(channel, Position.start(first.position().epoch()), 100);
            assertThat(fromStart.gap()).as("retention gap from offset 0 when 8..12 are retained")
                    .isEqualTo(new Gap(channel, first.position().epoch(), 0L, 8, 7L, false));

            Replay fromSeven = store.replay(channel, at(first, 7), 100);
            assertThat(fromSeven.gap()).as("gap after offset 7 when 8..12 are retained: nothing is lost").isNull();
            assertThat(fromSeven.messages()).as("messages after offset 7").isEqualTo(messages.subList(7, 12));
        }

        @Test
        @DisplayName("a retention gap comes with the oldest retained messages, cut by the limit")
        void required_history_2_4_retentionGapWithLimit() {
            ChannelName channel = countChannel("c");
            List<Message> messages = appendAll(channel, 12);

            Replay replay = store.replay(channel, at(messages.get(0), 2), 2);
            assertThat(replay.gap()).as("retention gap after offset 2 with limit 2")
                    .isEqualTo(new Gap(channel, messages.get(0).position().epoch(), 2L, 8, 5L, false));
            assertThat(offsets(replay.messages())).as("offsets after a retention gap with limit 2").isEqualTo(range(8, 9));
            assertThat(replay.complete()).as("replay cut by its limit before the head is incomplete").isFalse();
        }

        @Test
        @DisplayName("age retention drops messages older than the max age, and the gap counts them")
        void required_history_2_5_ageRetentionDropsOldMessages() {
            ChannelName channel = ageChannel("c");
            List<Message> old = appendAll(channel, 3);
            Message first = old.get(0);

            env.await("messages of " + channel + " older than " + env.shortTtl().toMillis() + " ms are dropped")
                    .until(() -> store.replay(channel, null, 100).messages().isEmpty());

            assertThat(store.head(channel)).as("head after every message aged out").isEqualTo(at(first, 3));
            Replay lost = store.replay(channel, at(first, 1), 100);
            assertThat(lost.gap()).as("gap after offset 1 when 2..3 aged out and nothing newer exists")
                    .isEqualTo(new Gap(channel, first.position().epoch(), 1L, 4, 2L, false));
            assertThat(lost.messages()).as("messages when every message aged out").isEmpty();

            Message fresh = append(channel, 4);
            assertThat(fresh.position()).as("position of the append after every message aged out").isEqualTo(at(first, 4));
            Replay resumed = store.replay(channel, at(first, 1), 100);
            assertThat(resumed.gap()).as("gap after offset 1 when only 4 is retained")
                    .isEqualTo(new Gap(channel, first.position().epoch(), 1L, 4, 2L, false));
            assertThat(resumed.messages()).as("messages retained after the age limit hit").containsExactly(fresh);
            Replay fromHead = store.replay(channel, at(first, 3), 100);
            assertThat(fromHead.gap()).as("gap after offset 3 when 4 is retained").isNull();
            assertThat(fromHead.messages()).as("messages after offset 3").containsExactly(fresh);
        }
    }

    @Nested
    @DisplayName("3. replay")
    class Replays {

        @Test
        @DisplayName("replay after a position returns the later messages in order, up to the head")
        void required_history_3_1_replayAfterAPosition() {
            ChannelName channel = channel("r");
            List<Message> messages = appendAll(channel, 6);

            Replay replay = store.replay(channel, at(messages.get(0), 2), 100);
            assertThat(replay.messages()).as("messages after offset 2 of 6").isEqualTo(messages.subList(2, 6));
            assertThat(replay.gap()).as("gap after a covered position").isNull();
            assertThat(replay.complete()).as("replay reaching the head is complete").isTrue();
            assertThat(replay.head()).as("replay head").isEqualTo(messages.get(5).position());
            assertThat(replay.channel()).as("replay channel").isEqualTo(channel);
        }

        @Test
        @DisplayName("replay from null, or from offset 0 of the epoch, returns every retained message without a gap")
        void required_history_3_2_replayFromTheBeginning() {
            ChannelName channel = channel("r");
            List<Message> messages = appendAll(channel, 6);

            Replay fromNull = store.replay(channel, null, 100);
            assertThat(fromNull.messages()).as("messages replayed from null").isEqualTo(messages);
            assertThat(fromNull.gap()).as("gap of a replay from null").isNull();
            Replay fromZero = store.replay(channel, Position.start(messages.get(0).position().epoch()), 100);
            assertThat(fromZero.messages()).as("messages replayed from offset 0").isEqualTo(messages);
            assertThat(fromZero.gap()).as("gap of a replay from offset 0 with everything retained").isNull();
        }

        @Test
        @DisplayName("the limit cuts a replay, and 'complete' says whether it reached the head")
        void required_history_3_3_limitAndComplete() {
            ChannelName channel = channel("r");
            List<Message> messages = appendAll(channel, 10);
            Message first = messages.get(0);

            Replay page1 = store.replay(channel, at(first, 0), 4);
            assertThat(offsets(page1.messages())).as("first page of 4").isEqualTo(range(1, 4));
            assertThat(page1.complete()).as("'complete' of a page ending at 4 of 10").isFalse();
            Replay page2 = store.replay(channel, page1.lastOr(null), 4);
            assertThat(offsets(page2.messages())).as("second page of 4").isEqualTo(range(5, 8));
            assertThat(page2.complete()).as("'complete' of a page ending at 8 of 10").isFalse();
            Replay page3 = store.replay(channel, page2.lastOr(null), 4);
            assertThat(offsets(page3.messages())).as("last page").isEqualTo(range(9, 10));
            assertThat(page3.complete()).as("'complete' of a page reaching the head").isTrue();
            Replay exact = store.replay(channel, at(first, 6), 4);
            assertThat(offsets(exact.messages())).as("page of exactly the 4 remaining").isEqualTo(range(7, 10));
            assertThat(exact.complete()).as("'complete' of a page whose limit ends exactly at the head").isTrue();
            Replay one = store.replay(channel, at(first, 0), 1);
            assertThat(offsets(one.messages())).as("page of limit 1").isEqualTo(range(1, 1));
        }

        @Test
        @DisplayName("replay from the head returns nothing, no gap, complete")
        void required_history_3_4_replayFromTheHead() {
            ChannelName channel = channel("r");
            List<Message> messages = appendAll(channel, 3);

            Replay replay = store.replay(channel, messages.get(2).position(), 10);
            assertThat(replay.messages()).as("messages after the head").isEmpty();
            assertThat(replay.gap()).as("gap after the head").isNull();
            assertThat(replay.complete()).as("'complete' of a replay from the head").isTrue();
            assertThat(replay.head()).as("replay head").isEqualTo(messages.get(2).position());
        }
    }

    @Nested
    @DisplayName("4. positions that mean nothing get a reset")
    class Resets {

        @Test
        @DisplayName("a position from another epoch gets a reset gap and no messages")
        void required_history_4_1_otherEpochGetsReset() {
            ChannelName channel = channel("x");
            List<Message> messages = appendAll(channel, 3);
            String foreign = otherEpoch(messages.get(0).position().epoch());

            Replay replay = store.replay(channel, new Position(foreign, 2), 10);
            assertThat(replay.messages()).as("messages for a position of another epoch").isEmpty();
            assertThat(replay.gap()).as("gap for a position of another epoch").isNotNull();
            assertThat(replay.gap().reset()).as("a position of another epoch gets a reset gap").isTrue();
            assertThat(replay.gap().channel()).as("channel of the reset gap").isEqualTo(channel);
            assertThat(replay.gap().missed()).as("'missed' of a reset gap is unknown").isNull();
            assertThat(replay.gap().firstAvailable()).as("'firstAvailable' of a reset gap is head + 1").isEqualTo(4);
            assertThat(replay.head()).as("head given with a reset gap").isEqualTo(messages.get(2).position());
        }

        @Test
        @DisplayName("a position beyond the head gets a reset gap and no messages")
        void required_history_4_2_beyondTheHeadGetsReset() {
            ChannelName channel = channel("x");
            List<Message> messages = appendAll(channel, 3);

            Replay replay = store.replay(channel, at(messages.get(0), 10), 10);
            assertThat(replay.messages()).as("messages for a position beyond the head").isEmpty();
            assertThat(replay.gap()).as("gap for a position beyond the head (offset 10, head 3)")
                    .isEqualTo(Gap.reset(channel, messages.get(0).position().epoch(), 10L, 4));
            assertThat(replay.head()).as("head given with a reset gap").isEqualTo(messages.get(2).position());
        }

        @Test
        @DisplayName("on a channel never published to, a position of another epoch or beyond offset 0 gets a reset")
        void required_history_4_3_unknownChannelPositionsGetReset() {
            ChannelName channel = channel("empty");
            Position head = store.head(channel);

            Replay foreign = store.replay(channel, new Position(otherEpoch(head.epoch()), 5), 10);
            assertThat(foreign.gap()).as("gap for a position of another epoch on an empty channel").isNotNull();
            assertThat(foreign.gap().reset()).as("reset flag for another epoch on an empty channel").isTrue();
            assertThat(foreign.gap().firstAvailable()).as("'firstAvailable' of a reset on an empty channel").isEqualTo(1);
            assertThat(foreign.messages()).as("messages of an empty channel").isEmpty();

            Replay ahead = store.replay(channel, new Position(head.epoch(), 3), 10);
            assertThat(ahead.gap()).as("gap for offset 3 on an empty channel").isEqualTo(Gap.reset(channel, head.epoch(), 3L, 1));
        }
    }

    @Nested
    @DisplayName("5. messages come back as they were stored")
    class Content {

        @Test
        @DisplayName("binary payloads round-trip byte for byte")
        void required_history_5_1_binaryPayloadRoundTrips() {
            ChannelName channel = channel("bin");
            byte[] bytes = new byte[512 + 3];
            for (int i = 0; i < 512; i++) {
                bytes[i] = (byte) i;
            }
            bytes[512] = (byte) 0xC3; // a truncated UTF-8 sequence
            bytes[513] = (byte) 0x28;
            bytes[514] = 0;
            Message appended = store.append(new Publication(channel, null, null, Payload.copyOf(bytes), "application/octet-stream", Map.of()));

            Message replayed = store.replay(channel, null, 1).messages().get(0);
            assertThat(replayed.payload().toByteArray()).as("binary payload replayed from %s", channel).isEqualTo(bytes);
            assertThat(replayed).as("replayed binary message").isEqualTo(appended);
            assertThat(appended.payload().toByteArray()).as("binary payload of the appended message").isEqualTo(bytes);
        }

        @Test
        @DisplayName("UTF-8 and empty payloads round-trip unchanged")
        void required_history_5_2_textPayloadRoundTrips() {
            ChannelName channel = channel("text");
            String text = "{\"text\":\"h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \ud83c\udf89\",\n\"crlf\":\"a\r\nb\"}";
            Message utf8 = store.append(Publication.json(channel, text));
            Message empty = store.append(new Publication(channel, null, null, Payload.empty(), "text/plain", Map.of()));

            List<Message> replayed = store.replay(channel, null, 10).messages();
            assertThat(replayed.get(0).payload().utf8()).as("UTF-8 payload replayed").isEqualTo(text);
            assertThat(replayed.get(0).payload().toByteArray()).as("UTF-8 payload bytes replayed")
                    .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
            assertThat(replayed.get(1).payload().size()).as("empty payload replayed").isZero();
            assertThat(replayed).as("replayed text messages").containsExactly(utf8, empty);
        }

        @Test
        @DisplayName("type, content type, headers and the publisher's id round-trip")
        void required_history_5_3_metadataRoundTrips() {
            ChannelName channel = channel("meta");
            Map<String, String> headers = Map.of("trace-id", "abc123", "x-unicode", "\u00fcn\u00ef \u2713", "empty", "");
            Publication publication = new Publication(channel, "order-42.v1", "order.updated", Payload.utf8("plain text"),
                    "text/plain; charset=utf-8", headers);
            Message appended = store.append(publication);

            assertThat(appended.id()).as("id of a message whose publisher gave one").isEqualTo("order-42.v1");
            assertThat(appended.type()).as("type of the appended message").isEqualTo("order.updated");
            assertThat(appended.contentType()).as("content type of the appended message").isEqualTo("text/plain; charset=utf-8");
            assertThat(appended.headers()).as("headers of the appended message").isEqualTo(headers);
            assertThat(appended.payload()).as("payload of the appended message").isEqualTo(publication.payload());
            assertThat(store.replay(channel, null, 1).messages()).as("replayed message with metadata").containsExactly(appended);

            Message plain = store.append(Publication.json(channel, "{}"));
            Message replayedPlain = store.replay(channel, appended.position(), 1).messages().get(0);
            assertThat(replayedPlain).as("replayed message without type or headers").isEqualTo(plain);
            assertThat(replayedPlain.type()).as("type of a message published without one").isNull();
            assertThat(replayedPlain.headers()).as("headers of a message published without any").isEmpty();
            assertThat(replayedPlain.contentType()).as("content type of a JSON publication").isEqualTo(Publication.JSON);
        }

        @Test
        @DisplayName("ids the store generates are unique and never blank")
        void required_history_5_4_generatedIdsAreUnique() {
            List<String> ids = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                ChannelName channel = channel("ids" + c);
                appendAll(channel, 100).forEach(m -> ids.add(m.id()));
            }
            assertThat(ids).as("generated message ids").doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isNotBlank());
        }
    }

    @Nested
    @DisplayName("6. lost history starts a new epoch")
    class Epochs {

        @Test
        @DisplayName("after the history is lost, the epoch differs and offsets restart at 1")
        void required_history_6_1_lostHistoryChangesTheEpoch() throws Exception {
            ChannelName channel = channel("lost");
            List<Message> before = appendAll(channel, 3);
            String oldEpoch = before.get(0).position().epoch();

            loseHistory(channel);

            Position head = store().head(channel);
            assertThat(head.epoch()).as("epoch of %s after its history was lost (was %s)", channel, oldEpoch).isNotEqualTo(oldEpoch);
            assertThat(head.offset()).as("head offset after the history was lost").isZero();
            Message next = store().append(Publication.json(channel, "{}"));
            assertThat(next.position()).as("position of the first append after the history was lost")
                    .isEqualTo(new Position(head.epoch(), 1));
        }

        @Test
        @DisplayName("a position from before the loss gets a reset gap, not the new epoch's messages")
        void required_history_6_2_positionFromBeforeTheLossGetsReset() throws Exception {
            ChannelName channel = channel("lost");
            List<Message> before = appendAll(channel, 3);
            loseHistory(channel);
            List<Message> after = List.of(store().append(Publication.json(channel, "{}")), store().append(Publication.json(channel, "{}")));

            Replay replay = store().replay(channel, before.get(2).position(), 10);
            assertThat(replay.gap()).as("gap for position %s after the history was lost", before.get(2).position()).isNotNull();
            assertThat(replay.gap().reset()).as("a position from a lost epoch gets a reset gap").isTrue();
            assertThat(replay.gap().firstAvailable()).as("'firstAvailable' of the reset: new head + 1").isEqualTo(3);
            assertThat(replay.messages()).as("messages for a position from a lost epoch").isEmpty();
            assertThat(store().replay(channel, null, 10).messages()).as("history after the loss").isEqualTo(after);
        }

        @Test
        @DisplayName("ids generated after the loss never repeat ids from before it")
        void required_history_6_3_idsStayUniqueAcrossTheLoss() throws Exception {
            ChannelName channel = channel("lost");
            Set<String> before = new HashSet<>();
            appendAll(channel, 20).forEach(m -> before.add(m.id()));
            loseHistory(channel);
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                after.add(store().append(Publication.json(channel, "{}")).id());
            }
            assertThat(after).as("ids generated after the history was lost").doesNotContainAnyElementsOf(before);
        }

        @Test
        @DisplayName("a store that survives restarts keeps its epochs, its messages and its offsets")
        void optional_history_6_4_restartKeepsTheEpoch() throws Exception {
            ChannelName channel = channel("durable");
            List<Message> before = appendAll(channel, 3);
            HistoryStore restarted = restartStore();
            assumeTrue(restarted != null, "the store keeps history only in its process: restartStore() returned null");
            replaceStore(restarted);

            assertThat(store().head(channel)).as("head of %s after a restart", channel).isEqualTo(before.get(2).position());
            Replay replay = store().replay(channel, before.get(0).position(), 10);
            assertThat(replay.gap()).as("gap after a position from before the restart").isNull();
            assertThat(replay.messages()).as("messages after a position from before the restart").isEqualTo(before.subList(1, 3));
            assertThat(store().append(Publication.json(channel, "{}")).position()).as("position of the first append after a restart")
                    .isEqualTo(at(before.get(0), 4));
        }
    }

    /** Groups 8 (retried appends) and 9 (pipelined appends); see {@link HistoryAppendRules}. */
    @Nested
    @DisplayName("8-9. retried and pipelined appends")
    class Appends extends HistoryAppendRules {
        Appends() {
            super(HistoryStoreContract.this);
        }
    }

    @Nested
    @DisplayName("7. failures")
    class Failures {

        @Test
        @DisplayName("an append that fails throws StoreException and leaves nothing half-done")
        void untested_history_7_1_failedAppendLeavesNothingHalfDone() {
            abort("no backend-neutral way to make a store fail halfway through an append: "
                    + "each backend tests this against its own failure points");
        }
    }
}
