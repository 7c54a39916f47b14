package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Replay;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;

/**
 * "No gap, no duplicate" under load: publishers on several threads, and subscribers that resume from
 * random positions at random times, some of them slow enough to be paced and cut off, reconnecting from
 * their last position like a real client. Every subscriber must end up with exactly the history slice
 * after its first position, in order.
 */
class ResumeStressTest {

    private static final List<ChannelName> CHANNELS = List.of(ChannelName.of("/stress/a"), ChannelName.of("/stress/b"),
            ChannelName.of("/stress/c"));
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 3000;
    private static final int SUBSCRIBERS = 48;

    /** A client: an outbox drained by its own reader thread at a random pace; reconnects when cut off. */
    private static final class Client extends OutboxSubscriber {
        final ChannelName channel;
        final Position start;
        final Engine engine;
        final boolean slow;
        final List<Message> received = new CopyOnWriteArrayList<>();
        final List<Gap> gaps = new CopyOnWriteArrayList<>();
        volatile Position last;
        volatile Subscription subscription;
        volatile int reconnects;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread reader;

        Client(Engine engine, ChannelName channel, Position start, boolean slow) {
            super(slow ? 32 : 4096);
            this.engine = engine;
            this.channel = channel;
            this.start = start;
            this.last = start;
            this.slow = slow;
            this.reader = new Thread(this::read, "reader-" + channel);
            reader.setDaemon(true);
            reader.start();
        }

        void read() {
            List<Object> batch = new ArrayList<>();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                batch.clear();
                if (outbox.drainTo(batch, slow ? 1 + random.nextInt(8) : 256) == 0) {
                    LockSupport.parkNanos(100_000);
                    continue;
                }
                for (Object item : batch) {
                    if (item instanceof Message m) {
                        received.add(m);
                        last = m.position();
                    } else if (item instanceof Gap g) {
                        gaps.add(g);
                    } else if (item instanceof Position reconnectFrom) {
                        // Everything queued before the cut-off is read; come back like a client would.
                        reconnects++;
                        subscription = engine.subscribe(Principal.ANONYMOUS, channel, Resume.after(last), this);
                    }
                }
                if (slow) {
                    LockSupport.parkNanos(random.nextInt(200_000));
                }
            }
        }

        void subscribe() {
            subscription = engine.subscribe(Principal.ANONYMOUS, channel, Resume.after(start), this);
        }

        @Override
        protected void ready() {
            // The reader polls its outbox.
        }

        @Override
        public void cutOff(ChannelName c, Position lastDelivered) {
            outbox.offerAlways(lastDelivered);
        }
    }

    @RepeatedTest(3)
    void everySubscriberGetsExactlyTheHistorySliceAfterItsPosition() throws Exception {
        int total = PUBLISHERS * PER_PUBLISHER;
        Settings settings = Settings.defaults()
                .with(CoreSettings.HISTORY_SIZE, String.valueOf(total + 10))
                .with(CoreSettings.SUBSCRIBER_QUEUE, "64");
        try (Herald herald = Herald.builder().settings(settings).build().start()) {
            Engine engine = herald.engine();
            String epoch = engine.head(CHANNELS.get(0)).epoch();
            ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS + 2);
            CountDownLatch go = new CountDownLatch(1);
            List<Client> clients = new CopyOnWriteArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < PER_PUBLISHER; i++) {
                        herald.publish(CHANNELS.get(random.nextInt(CHANNELS.size())), "{\"i\":" + i + "}");
                        if (random.nextInt(64) == 0) {
                            LockSupport.parkNanos(random.nextInt(500_000));
                        }
                    }
                    return null;
                });
            }
            pool.submit(() -> {
                go.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int s = 0; s < SUBSCRIBERS; s++) {
                    ChannelName channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                    long head = engine.head(channel).offset();
                    Position from = new Position(epoch, head == 0 ? 0 : random.nextLong(head + 1));
                    Client client = new Client(engine, channel, from, s % 3 == 0);
                    clients.add(client);
                    client.subscribe();
                    LockSupport.parkNanos(random.nextInt(2_000_000));
                }
                return null;
            });
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();

            for (Client client : clients) {
                long head = engine.head(client.channel).offset();
                await().atMost(Duration.ofSeconds(60)).until(() -> client.last.offset() == head);
                client.running.set(false);
                Replay slice = engine.history(client.channel, client.start, total + 10);
                assertThat(client.gaps).as("gaps of %s", client.channel).isEmpty();
                assertThat(client.received.stream().map(Message::position).toList())
                        .as("%s from %s, %s reconnects", client.channel, client.start, client.reconnects)
                        .containsExactlyElementsOf(slice.messages().stream().map(Message::position).toList());
            }
            assertThat(clients).hasSize(SUBSCRIBERS);
        }
    }
}
