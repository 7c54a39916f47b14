package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a subscription closed or cut off from two threads at once (two feeds offering to one slow pattern
 * subscriber, or the transport closing it while the engine cuts it off) was closed twice: the pattern's
 * registration count dropped twice and the broker subscription another subscriber still needed was closed.
 */
class SubscriptionCloseRaceTest {

    private static final ChannelName PATTERN = ChannelName.of("/p/*");

    private Herald herald;
    private Engine engine;

    @BeforeEach
    void start() {
        herald = Herald.builder().build().start();
        engine = herald.engine();
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    @Test
    void concurrentClosesCloseOnce() throws InterruptedException {
        EngineTest.Recorder survivor = new EngineTest.Recorder();
        engine.subscribe(Principal.ANONYMOUS, PATTERN, Resume.live(), survivor);
        for (int round = 0; round < 1500; round++) {
            Subscription doomed = engine.subscribe(Principal.ANONYMOUS, PATTERN, Resume.live(), new EngineTest.Recorder());
            AtomicBoolean go = new AtomicBoolean();
            List<Thread> closers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int spins = ThreadLocalRandom.current().nextInt(50);
                Thread closer = new Thread(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    for (int i = 0; i < spins; i++) {
                        Thread.onSpinWait();
                    }
                    doomed.close();
                });
                closer.start();
                closers.add(closer);
            }
            go.set(true);
            for (Thread closer : closers) {
                closer.join();
            }
            assertThat(engine.stats().subscriptions()).as("subscriptions after round %d", round).isEqualTo(1);
        }
        herald.publish(ChannelName.of("/p/still"), "{}");
        assertThat(survivor.payloads()).containsExactly("{}");
    }

    @Test
    void twoFeedsCuttingOffOneSlowPatternSubscriberCutItOffOnce() throws InterruptedException {
        EngineTest.Recorder survivor = new EngineTest.Recorder();
        engine.subscribe(Principal.ANONYMOUS, PATTERN, Resume.live(), survivor);
        for (int round = 0; round < 200; round++) {
            AtomicInteger cutOffs = new AtomicInteger();
            Subscriber full = new Subscriber() {
                @Override
                public boolean deliver(Message message) {
                    return false;
                }

                @Override
                public void cutOff(ChannelName channel, io.herald.api.Position lastDelivered) {
                    cutOffs.incrementAndGet();
                }
            };
            engine.subscribe(Principal.ANONYMOUS, PATTERN, Resume.live(), full);
            AtomicBoolean go = new AtomicBoolean();
            List<Thread> publishers = new ArrayList<>();
            for (String channel : List.of("/p/a", "/p/b", "/p/c")) {
                Thread publisher = new Thread(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    herald.publish(ChannelName.of(channel), "{}");
                });
                publisher.start();
                publishers.add(publisher);
            }
            go.set(true);
            for (Thread publisher : publishers) {
                publisher.join();
            }
            await().pollInterval(Duration.ofMillis(1)).until(() -> cutOffs.get() >= 1);
            assertThat(cutOffs.get()).as("cut-offs of one subscriber in round %d", round).isEqualTo(1);
            assertThat(engine.stats().subscriptions()).as("subscriptions after round %d", round).isEqualTo(1);
        }
        assertThat(survivor.payloads()).hasSize(600);
    }
}
