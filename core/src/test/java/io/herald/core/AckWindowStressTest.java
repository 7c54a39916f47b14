package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The ack window under load: publishers on several threads, consumers that drain and ack at random moments,
 * cumulatively or one by one, with windows from 1 to 8, so that subscriptions pause and resume from history
 * over and over while messages keep arriving. Each consumer must end with every message exactly once, in
 * order, and never more unacked than its window.
 */
class AckWindowStressTest {

    private static final ChannelName ROOM = ChannelName.of("/stress/acks");
    private static final int PUBLISHERS = 3;
    private static final int PER_PUBLISHER = 400;
    private static final int CONSUMERS = 6;

    @RepeatedTest(3)
    void everyMessageOnceInOrderWhateverTheAckTiming() throws Exception {
        long seed = System.nanoTime();
        try (Herald herald = Herald.builder().settings(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000")
                .with(CoreSettings.SUBSCRIBER_QUEUE, "16")).build().start()) {
            SessionService sessions = herald.sessions();
            List<Consumer> consumers = new ArrayList<>();
            for (int i = 0; i < CONSUMERS; i++) {
                Consumer consumer = new Consumer(new Random(seed + i), i % 2 == 0 ? AckMode.CUMULATIVE : AckMode.INDIVIDUAL, 1 + i);
                consumer.connection = sessions.connect(sessions.ephemeral(Principal.ANONYMOUS), consumer, true);
                consumer.connection.subscribe("s", ROOM, Resume.live(), consumer.mode, consumer.window);
                consumers.add(consumer);
            }
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                Thread publisher = new Thread(() -> {
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                        herald.publish(ROOM, "{}");
                        if (ThreadLocalRandom.current().nextInt(20) == 0) {
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(200_000));
                        }
                    }
                });
                threads.add(publisher);
            }
            for (Consumer consumer : consumers) {
                threads.add(new Thread(consumer::run));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60).toMillis());
            }
            for (Consumer consumer : consumers) {
                assertThat(consumer.failure).as("consumer %s (seed %d)", consumer.mode + "/" + consumer.window, seed).isNull();
                assertThat(consumer.offsets).as("offsets received by %s/%d (seed %d)", consumer.mode, consumer.window, seed)
                        .hasSize(PUBLISHERS * PER_PUBLISHER).isSorted().doesNotHaveDuplicates();
                assertThat(consumer.offsets.get(0)).isEqualTo(1L);
            }
        }
    }

    /** Drains and acks on its own thread at random moments; checks the window as it goes. */
    static final class Consumer implements Connection.Wire, Connection.Items {
        final Random random;
        final AckMode mode;
        final int window;
        final List<Long> offsets = new ArrayList<>();
        final List<Position> pending = new ArrayList<>();
        volatile Connection connection;
        volatile String failure;

        Consumer(Random random, AckMode mode, int window) {
            this.random = random;
            this.mode = mode;
            this.window = window;
        }

        @Override
        public void writable() {
        }

        @Override
        public void cutOff() {
            failure = "cut off although a full window must only pause";
        }

        @Override
        public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
            offsets.add(message.offset());
            pending.add(message.position());
            if (subscription.unacked().size() > window) {
                failure = subscription.unacked().size() + " unacked with a window of " + window;
            }
        }

        @Override
        public void gap(ConnectionSubscription subscription, Gap gap) {
            failure = "gap " + gap + " although history holds everything";
        }

        void run() {
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
            while (offsets.size() < PUBLISHERS * PER_PUBLISHER && failure == null && System.nanoTime() < deadline) {
                connection.drain(1 + random.nextInt(8), this);
                if (!pending.isEmpty() && random.nextInt(3) > 0) {
                    if (mode == AckMode.CUMULATIVE) {
                        connection.acknowledge("s", pending.get(pending.size() - 1), true);
                        pending.clear();
                    } else {
                        Position one = pending.remove(random.nextInt(pending.size()));
                        connection.acknowledge("s", one, false);
                    }
                }
                if (random.nextInt(10) == 0) {
                    LockSupport.parkNanos(random.nextInt(300_000));
                } else if (pending.isEmpty() && connection.queued() == 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
