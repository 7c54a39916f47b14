package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Groups 8 and 9 of {@link HistoryStoreContract}: retried appends (a publication's id makes it idempotent per
 * channel while retained) and pipelined appends ({@link HistoryStore#appendAsync} keeps call order). The
 * contract runs them as its nested {@code Appends}; a backend needs nothing more. Not thread-safe; JUnit makes
 * one instance per test.
 */
public abstract class HistoryAppendRules {

    private final HistoryStoreContract contract;

    protected HistoryAppendRules(HistoryStoreContract contract) {
        this.contract = contract;
    }

    private HistoryStore store() {
        return contract.store();
    }

    private static Publication withId(ChannelName channel, String id, String json) {
        return new Publication(channel, id, "retry", Payload.utf8(json), Publication.JSON, null);
    }

    /** Every retained message of {@code channel}, read in pages. */
    private List<Message> retained(ChannelName channel) {
        List<Message> all = new ArrayList<>();
        Position after = null;
        for (int pages = 0; pages < 10; pages++) {
            Replay replay = store().replay(channel, after, 1000);
            all.addAll(replay.messages());
            if (replay.complete()) {
                return all;
            }
            after = replay.lastOr(after);
        }
        throw new AssertionError("replay of " + channel + " never said it was complete");
    }

    @Test
    @DisplayName("a retry with the id of a retained message returns that message and stores nothing")
    void required_history_8_1_retryReturnsTheOriginalAndStoresNothing() {
        ChannelName channel = contract.channel("retry");
        Message first = store().append(withId(channel, "order-1", "{\"v\":1}"));
        store().append(Publication.json(channel, "{\"other\":true}"));

        Message retry = store().append(withId(channel, "order-1", "{\"v\":1}"));
        Appended asyncRetry = store().appendAsync(withId(channel, "order-1", "{\"v\":\"changed\"}")).join();

        assertThat(retry).as("what a retry of a retained id returned").isEqualTo(first);
        assertThat(asyncRetry.message()).as("what an asynchronous retry with other content returned").isEqualTo(first);
        assertThat(asyncRetry.duplicate()).as("an asynchronous retry reports the duplicate").isTrue();
        assertThat(store().head(channel).offset()).as("head of %s after two retries", channel).isEqualTo(2);
        assertThat(retained(channel)).extracting(Message::id).as("ids retained after two retries")
                .containsExactly("order-1", retained(channel).get(1).id());
    }

    @Test
    @DisplayName("ids are per channel, and publications without an id are never taken for retries")
    void required_history_8_2_idsArePerChannelAndOptional() {
        ChannelName one = contract.channel("ids-one");
        ChannelName two = contract.channel("ids-two");
        Appended first = store().appendAsync(withId(one, "same", "{}")).join();
        Appended elsewhere = store().appendAsync(withId(two, "same", "{}")).join();
        Message plain1 = store().append(Publication.json(one, "{}"));
        Message plain2 = store().append(Publication.json(one, "{}"));

        assertThat(first.duplicate()).as("first append of an id reports no duplicate").isFalse();
        assertThat(elsewhere.duplicate()).as("the same id on another channel is a new message").isFalse();
        assertThat(elsewhere.message().offset()).isEqualTo(1);
        assertThat(List.of(plain1.offset(), plain2.offset())).as("offsets of two identical appends without an id").containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("concurrent retries of one id, on this store and another over the same data, store it once")
    void required_history_8_3_concurrentRetriesStoreOnce() throws Exception {
        ChannelName channel = contract.channel("concurrent-retry");
        HistoryStore other = contract.otherNode();
        try {
            List<Callable<Appended>> tasks = new ArrayList<>();
            List<Boolean> async = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                HistoryStore node = t % 2 == 1 && other != null ? other : store();
                async.add(t % 4 < 2);
                tasks.add(t % 4 < 2 ? () -> node.appendAsync(withId(channel, "once", "{}")).join()
                        : () -> new Appended(node.append(withId(channel, "once", "{}")), false));
            }
            List<Appended> results = contract.runConcurrently(tasks);

            Message stored = retained(channel).get(0);
            assertThat(results).extracting(Appended::message).as("what 16 concurrent appends of one id returned").containsOnly(stored);
            assertThat(retained(channel)).as("messages stored by 16 concurrent appends of one id").hasSize(1);
            long storedByAsync = 0;
            for (int t = 0; t < results.size(); t++) {
                if (async.get(t) && !results.get(t).duplicate()) {
                    storedByAsync++;
                }
            }
            assertThat(storedByAsync).as("asynchronous appends that reported storing the id").isLessThanOrEqualTo(1);
        } finally {
            if (other != null) {
                contract.closeStore(other);
            }
        }
    }

    @Test
    @DisplayName("an id is forgotten with its message: once trimmed by count, a retry is a new message")
    void required_history_8_4_idLeavesWithItsMessage() {
        ChannelName channel = contract.countChannel("forget");
        Message first = store().append(withId(channel, "early", "{}"));
        for (int i = 0; i < HistoryStoreContract.COUNT_RETENTION; i++) {
            store().append(Publication.json(channel, "{}"));
        }
        Appended retry = store().appendAsync(withId(channel, "early", "{}")).join();

        assertThat(retry.duplicate()).as("a retry of an id whose message was trimmed").isFalse();
        assertThat(retry.message().offset()).isEqualTo(first.offset() + HistoryStoreContract.COUNT_RETENTION + 1);
    }

    @Test
    @DisplayName("an id is forgotten with the channel's history: a retry after the loss starts the new epoch")
    void required_history_8_5_idLeavesWithALostHistory() throws Exception {
        ChannelName channel = contract.channel("lost-retry");
        Message first = store().append(withId(channel, "before", "{}"));
        store().append(Publication.json(channel, "{}"));
        contract.loseHistory(channel);

        Appended retry = store().appendAsync(withId(channel, "before", "{}")).join();

        assertThat(retry.duplicate()).as("a retry after the history was lost").isFalse();
        assertThat(retry.message().position().epoch()).as("epoch of a retry after the loss").isNotEqualTo(first.position().epoch());
        assertThat(retry.message().offset()).isEqualTo(1);
    }

    @Test
    @DisplayName("an id is forgotten once its message aged out")
    void required_history_8_6_idLeavesWithAnAgedOutMessage() {
        ChannelName channel = contract.ageChannel("aged-retry");
        store().append(withId(channel, "old", "{}"));
        contract.environment().await("the message to age out").until(() -> store().replay(channel, null, 10).messages().isEmpty());

        Appended retry = store().appendAsync(withId(channel, "old", "{}")).join();

        assertThat(retry.duplicate()).as("a retry of an id whose message aged out").isFalse();
        assertThat(retry.message().offset()).isEqualTo(2);
    }

    @Test
    @DisplayName("appends made without waiting get their positions in call order, on each channel")
    void required_history_9_1_asyncAppendsKeepCallOrder() {
        List<ChannelName> channels = List.of(contract.channel("pipelined-a"), contract.channel("pipelined-b"));
        // More than a pipelining store is likely to keep in flight, so that callers also wait for room.
        int count = 1500;
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            for (ChannelName channel : channels) {
                futures.add(store().appendAsync(Publication.json(channel, "{\"n\":" + n + "}")));
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();

        for (int c = 0; c < channels.size(); c++) {
            ChannelName channel = channels.get(c);
            List<Long> offsets = new ArrayList<>();
            for (int i = c; i < futures.size(); i += channels.size()) {
                offsets.add(futures.get(i).join().message().offset());
            }
            assertThat(offsets).as("offsets of %d appends to %s made without waiting, in call order", count, channel)
                    .isEqualTo(LongStream.rangeClosed(1, count).boxed().toList());
            assertThat(retained(channel)).extracting(m -> m.payload().utf8()).as("payloads replayed from %s", channel)
                    .isEqualTo(LongStream.rangeClosed(1, count).mapToObj(n -> "{\"n\":" + n + "}").toList());
        }
    }
}
