package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.Authorizer;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Publish order under concurrency (G1, and {@link PublishListener}'s promise): many publishers on few
 * channels, listeners and subscribers that take a random while, and a store that completes appends in a
 * random order, late. Whatever the timing, each channel's listeners and subscribers see its messages in
 * position order, each once.
 */
class PublishOrderStressTest {

    private static final List<ChannelName> CHANNELS = List.of(ChannelName.of("/order/a"), ChannelName.of("/order/b"));
    private static final int PUBLISHERS = 8;
    private static final int PER_PUBLISHER = 500;

    /** Records offsets per channel; takes a random while first, so that overlapping calls would interleave. */
    private static final class Recording implements PublishListener, Subscriber {
        final Map<ChannelName, List<Long>> offsets = new ConcurrentHashMap<>();

        void record(Message message) {
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                Thread.yield();
            }
            offsets.computeIfAbsent(message.channel(), c -> new CopyOnWriteArrayList<>()).add(message.offset());
        }

        @Override
        public void published(Message message) {
            record(message);
        }

        @Override
        public boolean deliver(Message message) {
            record(message);
            return true;
        }

        List<Long> of(ChannelName channel) {
            return offsets.getOrDefault(channel, List.of());
        }
    }

    /** Bug 4 of issue 7: listeners ran after the publish lock was released, so two publishers could swap. */
    @RepeatedTest(10)
    void listenersHearEachChannelInPositionOrderUnderConcurrentPublishers() throws Exception {
        Recording listener = new Recording();
        Engine engine = engine(new MemoryHistoryStore(), listener);
        runPublishers(() -> {
            ChannelName channel = CHANNELS.get(ThreadLocalRandom.current().nextInt(CHANNELS.size()));
            engine.publish(Principal.SERVER, Publication.json(channel, "{}"));
        });
        for (ChannelName channel : CHANNELS) {
            long count = engine.head(channel).offset();
            assertThat(listener.of(channel)).as("offsets of %s as the publish listener heard them", channel)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
        }
    }

    /**
     * One publisher per channel with many publishes in flight, over a store that takes its time and completes
     * appends in a random order: positions follow the order of the calls, and listeners and live subscribers
     * still see every channel in position order.
     */
    @RepeatedTest(3)
    void asyncPublishesKeepCallOrderWhenTheStoreCompletesOutOfOrder() throws Exception {
        ScheduledExecutorService completer = Executors.newScheduledThreadPool(4);
        try {
            Recording listener = new Recording();
            Recording subscriber = new Recording();
            Engine engine = engine(new LateStore(new MemoryHistoryStore(), completer), listener);
            for (ChannelName channel : CHANNELS) {
                engine.subscribe(Principal.SERVER, channel, Resume.live(), subscriber);
            }
            int perChannel = 2000;
            Map<ChannelName, List<CompletableFuture<Message>>> futures = new ConcurrentHashMap<>();
            List<Thread> publishers = new ArrayList<>();
            for (ChannelName channel : CHANNELS) {
                List<CompletableFuture<Message>> mine = new ArrayList<>();
                futures.put(channel, mine);
                publishers.add(new Thread(() -> {
                    for (int n = 1; n <= perChannel; n++) {
                        mine.add(engine.publishAsync(Principal.SERVER, Publication.json(channel, "{\"n\":" + n + "}")));
                    }
                }, "async-publisher-" + channel.value()));
            }
            publishers.forEach(Thread::start);
            for (Thread publisher : publishers) {
                publisher.join();
            }
            CompletableFuture.allOf(futures.values().stream().flatMap(List::stream).toArray(CompletableFuture[]::new)).join();

            List<Long> expected = LongStream.rangeClosed(1, perChannel).boxed().toList();
            for (ChannelName channel : CHANNELS) {
                List<CompletableFuture<Message>> mine = futures.get(channel);
                for (int i = 0; i < perChannel; i++) {
                    Message m = mine.get(i).join();
                    assertThat(m.offset()).as("position of the %d-th publish to %s", i + 1, channel).isEqualTo(i + 1L);
                    assertThat(m.payload().utf8()).isEqualTo("{\"n\":" + (i + 1) + "}");
                }
                assertThat(listener.of(channel)).as("what the listener heard of %s", channel).containsExactlyElementsOf(expected);
                await().until(() -> subscriber.of(channel).size() >= perChannel);
                assertThat(subscriber.of(channel)).as("what the live subscriber got of %s", channel).containsExactlyElementsOf(expected);
            }
        } finally {
            completer.shutdownNow();
        }
    }

    private static Engine engine(HistoryStore store, PublishListener listener) {
        return new Engine(store, new MemoryBroker(), Authorizer.TOKEN_GRANTS, new SimpleMeterRegistry(), Settings.defaults(),
                Set.of(listener), startedThreads());
    }

    /** The node's shared threads, started, for an engine built without Herald (daemon threads). */
    static EngineThreads startedThreads() {
        EngineThreads threads = new EngineThreads();
        threads.start();
        return threads;
    }

    private static void runPublishers(Runnable publishOne) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < PUBLISHERS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < PER_PUBLISHER; i++) {
                        publishOne.run();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "publisher-" + t);
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).as("publisher failures").isEmpty();
    }

    /**
     * A store that assigns positions at once (so the order of the calls decides them, as in a pipelined remote
     * store) but answers after a random delay, so answers arrive in any order.
     */
    private static final class LateStore implements HistoryStore {
        private final HistoryStore store;
        private final ScheduledExecutorService completer;

        LateStore(HistoryStore store, ScheduledExecutorService completer) {
            this.store = store;
            this.completer = completer;
        }

        @Override
        public Message append(Publication publication) {
            return store.append(publication);
        }

        @Override
        public CompletableFuture<Appended> appendAsync(Publication publication) {
            Appended appended = store.appendAsync(publication).join();
            CompletableFuture<Appended> late = new CompletableFuture<>();
            completer.schedule(() -> late.complete(appended), ThreadLocalRandom.current().nextInt(200), TimeUnit.MICROSECONDS);
            return late;
        }

        @Override
        public Replay replay(ChannelName channel, Position after, int limit) {
            return store.replay(channel, after, limit);
        }

        @Override
        public Position head(ChannelName channel) {
            return store.head(channel);
        }
    }
}
