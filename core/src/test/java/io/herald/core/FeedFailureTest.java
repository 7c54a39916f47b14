package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.api.SessionStore;
import io.herald.api.StoreException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.core.memory.MemorySessionStore;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine when its store or broker misbehaves: history lost mid catch-up, history unreachable during a
 * hole fill, a broker that refuses subscriptions. Each test reproduces a defect the review found.
 */
class FeedFailureTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room");

    private final ControlledHistoryStore history = new ControlledHistoryStore();
    private final BrokerResyncTest.LossyBroker broker = new BrokerResyncTest.LossyBroker();
    private Herald herald;

    private Engine start(Settings settings) {
        herald = Herald.builder().settings(settings).store(new AbstractModule() {
            @Override
            protected void configure() {
                bind(HistoryStore.class).toInstance(history);
                bind(Broker.class).toInstance(broker);
                bind(SessionStore.class).toInstance(new MemorySessionStore());
                bind(PresenceStore.class).toInstance(new MemoryPresenceStore());
            }
        }).build().start();
        return herald.engine();
    }

    @AfterEach
    void stop() {
        if (herald != null) {
            history.release();
            herald.stop();
        }
    }

    /**
     * Bug: a reset gap at the end of the hand-over buffer left the subscription's position null, and the next
     * live message threw a NullPointerException (Redis restarted without persistence during a catch-up).
     */
    @Test
    void aResetWhileCatchingUpLeavesTheSubscriptionLiveInTheNewEpoch() throws Exception {
        Engine engine = start(Settings.defaults());
        Message first = herald.publish(ROOM, "{\"n\":1}");
        herald.publish(ROOM, "{\"n\":2}");
        EngineTest.Recorder recorder = new EngineTest.Recorder();

        history.holdNextReplay();
        CompletableFuture<Subscription> subscribing = CompletableFuture.supplyAsync(
                () -> engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.after(first.position()), recorder));
        history.awaitHeld();
        // The store loses everything; the broker reports an outage, so the feed re-reads and finds a reset,
        // which the catching-up subscription buffers as the last thing before it turns live.
        history.lose();
        broker.recover();
        await().until(() -> engine.stats().gaps() >= 1);
        history.release();
        subscribing.get();

        Message fresh = herald.publish(ROOM, "{\"n\":\"fresh\"}");
        await().until(() -> recorder.payloads().contains("{\"n\":\"fresh\"}"));
        assertThat(recorder.events).filteredOn(Gap.class::isInstance).singleElement()
                .isInstanceOfSatisfying(Gap.class, gap -> {
                    assertThat(gap.reset()).isTrue();
                    assertThat(gap.resumeAfter()).isEqualTo(new io.herald.api.Position(fresh.position().epoch(), fresh.offset() - 1));
                });
        assertThat(recorder.payloads()).containsExactly("{\"n\":\"fresh\"}");
    }

    /**
     * Bug: a transient store failure during a hole fill was reported as a retention gap, telling the client
     * that messages history still held were lost. The subscriber is cut off at its position instead.
     */
    @Test
    void aStoreOutageDuringAHoleFillCutsOffInsteadOfReportingLoss() {
        Engine engine = start(Settings.defaults());
        EngineTest.Recorder recorder = new EngineTest.Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), recorder);
        Message delivered = herald.publish(ROOM, "{\"n\":1}");
        broker.down = true;
        herald.publish(ROOM, "{\"n\":2}");
        broker.down = false;
        history.failReplays = true;
        herald.publish(ROOM, "{\"n\":3}");

        await().until(() -> recorder.cutOffChannel != null);
        assertThat(recorder.cutOffChannel).isEqualTo(ROOM);
        assertThat(recorder.cutOffAt).isEqualTo(delivered.position());
        assertThat(recorder.events).noneMatch(Gap.class::isInstance);
        assertThat(recorder.payloads()).containsExactly("{\"n\":1}");
        await().until(() -> engine.stats().subscriptions() == 0 && engine.stats().channels() == 0);

        // Once history answers again the client resumes from where it was cut off and misses nothing.
        history.failReplays = false;
        EngineTest.Recorder resumed = new EngineTest.Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.after(recorder.cutOffAt), resumed);
        await().until(() -> resumed.payloads().size() == 2);
        assertThat(resumed.payloads()).containsExactly("{\"n\":2}", "{\"n\":3}");
        assertThat(resumed.events).noneMatch(Gap.class::isInstance);
    }

    /** Bug: a registration the broker refused left the subscription counted and the channel feed behind. */
    @Test
    void aRefusedRegistrationLeavesNothingBehind() {
        Engine engine = start(Settings.defaults());
        broker.refuseSubscriptions = true;
        EngineTest.Recorder recorder = new EngineTest.Recorder();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), recorder))
                    .isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/*"), Resume.live(), recorder))
                    .isInstanceOf(StoreException.class);
        }
        assertThat(engine.stats().subscriptions()).isZero();
        assertThat(engine.stats().channels()).isZero();

        broker.refuseSubscriptions = false;
        Subscription exact = engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), recorder);
        Subscription pattern = engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/*"), Resume.live(), recorder);
        herald.publish(ROOM, "{\"n\":1}");
        await().until(() -> recorder.payloads().size() == 2);
        exact.close();
        pattern.close();
        assertThat(engine.stats().subscriptions()).isZero();
    }

    /** Bug: feeds of channels only wildcard subscribers see were never retired, one per channel ever published. */
    @Test
    void feedsOfChannelsSeenOnlyThroughPatternsAreRetiredWhenIdle() {
        Engine engine = start(Settings.defaults().with(CoreSettings.FEED_IDLE, "100ms"));
        EngineTest.Recorder recorder = new EngineTest.Recorder();
        engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/t/*"), Resume.live(), recorder);
        for (int i = 0; i < 300; i++) {
            herald.publish(ChannelName.of("/t/c" + i), "{}");
        }
        assertThat(recorder.payloads()).hasSize(300);
        await().until(() -> engine.stats().channels() == 0);

        // The pattern still works, and a channel's feed comes back when it is needed.
        herald.publish(ChannelName.of("/t/c1"), "{\"again\":true}");
        assertThat(recorder.payloads()).hasSize(301).last().isEqualTo("{\"again\":true}");
    }

    @Test
    void aStoppedHeraldRefusesToStartAgainClearly() {
        start(Settings.defaults());
        herald.stop();
        assertThatThrownBy(herald::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("build a new one");
    }
}
