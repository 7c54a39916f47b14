package io.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Eight publisher threads on two nodes (two stores, each on a pool of its own) append to one hot channel and a
 * few others at random, some waiting for each append and some pipelining, in random bursts: the hot channel's
 * offsets are exactly 1..N with no duplicate, each thread's own appends are in its call order, and replay
 * returns every message once. Run on each database.
 */
class ConcurrentAppendStressTest {

    @ParameterizedTest
    @EnumSource(Databases.class)
    void eightPublishersOnTwoNodesGetOffsetsOneToNWithoutDuplicates(Databases database) throws Exception {
        String prefix = Databases.uniquePrefix();
        JdbcDatabase a = database.start(prefix);
        JdbcDatabase b = database.start(prefix);
        Retention.Policy keepAll = Retention.Policy.uniform(new Retention(100_000, java.time.Duration.ZERO));
        JdbcHistoryStore nodeA = new JdbcHistoryStore(a, keepAll, Clock.systemUTC());
        JdbcHistoryStore nodeB = new JdbcHistoryStore(b, keepAll, Clock.systemUTC());
        nodeA.start();
        nodeB.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            ChannelName hot = ChannelName.of("/stress/hot");
            List<ChannelName> side = List.of(ChannelName.of("/stress/a"), ChannelName.of("/stress/b"));
            long seed = new Random().nextLong();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Message>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                HistoryStore node = t % 2 == 0 ? nodeA : nodeB;
                Random random = new Random(seed + t);
                results.add(pool.submit(() -> {
                    start.await();
                    List<Message> mine = new ArrayList<>();
                    for (int burst = 0; burst < 10; burst++) {
                        int size = 1 + random.nextInt(40);
                        if (random.nextBoolean()) {
                            List<CompletableFuture<HistoryStore.Appended>> pending = new ArrayList<>();
                            for (int i = 0; i < size; i++) {
                                pending.add(node.appendAsync(Publication.json(hot, "{}")));
                                if (random.nextInt(4) == 0) {
                                    node.appendAsync(Publication.json(side.get(random.nextInt(2)), "{}"));
                                }
                            }
                            pending.forEach(f -> mine.add(f.join().message()));
                        } else {
                            for (int i = 0; i < size; i++) {
                                mine.add(node.append(Publication.json(hot, "{}")));
                            }
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Message>> f : results) {
                List<Long> offsets = f.get(2, TimeUnit.MINUTES).stream().map(Message::offset).toList();
                assertThat(offsets).as("one thread's offsets on %s in its call order (seed %d)", hot, seed).isSorted();
                all.addAll(offsets);
            }
            assertThat(all).as("offsets handed out on %s by 8 threads on two nodes (seed %d)", hot, seed).doesNotHaveDuplicates();
            assertThat(all.stream().sorted().toList()).as("offsets on %s are 1..N (seed %d)", hot, seed)
                    .isEqualTo(LongStream.rangeClosed(1, all.size()).boxed().toList());
            Replay replay = nodeB.replay(hot, new Position(nodeA.head(hot).epoch(), 0), all.size() + 10);
            assertThat(replay.messages()).extracting(Message::offset).as("offsets replayed from %s", hot)
                    .isEqualTo(LongStream.rangeClosed(1, all.size()).boxed().toList());
        } finally {
            pool.shutdownNow();
            nodeA.stop();
            nodeB.stop();
            a.stop();
            b.stop();
            database.dropTables(prefix);
        }
    }
}
