package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.api.AccessDeniedException;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.InvalidChannelException;
import io.herald.api.Message;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room1");

    private Herald herald;
    private Engine engine;

    @BeforeEach
    void start() {
        herald = Herald.builder()
                .settings(Settings.defaults().with(CoreSettings.HISTORY_SIZE, "10").with(CoreSettings.PUBLISH_MAX_PAYLOAD, "1KiB"))
                .build()
                .start();
        engine = herald.engine();
    }

    @AfterEach
    void stop() {
        herald.stop();
    }

    static class Recorder implements Subscriber {
        final List<Object> events = new CopyOnWriteArrayList<>();
        volatile ChannelName cutOffChannel;
        volatile Position cutOffAt;

        @Override
        public boolean deliver(Message message) {
            events.add(message);
            return true;
        }

        @Override
        public void gap(Gap gap) {
            events.add(gap);
        }

        @Override
        public void cutOff(ChannelName channel, Position lastDelivered) {
            cutOffAt = lastDelivered;
            cutOffChannel = channel;
        }

        List<String> payloads() {
            return events.stream().filter(Message.class::isInstance).map(e -> ((Message) e).payload().utf8()).toList();
        }
    }

    @Test
    void aSubscribedChannelIsNamedByTheEnginesOwnCopyOfItsName() {
        ChannelName subscribed = ChannelName.of("/chat/named");
        engine.subscribe(Principal.ANONYMOUS, subscribed, Resume.live(), new Recorder());
        ChannelName parsedAgain = ChannelName.of("/chat/named");
        assertThat(parsedAgain).isNotSameAs(subscribed).isEqualTo(subscribed);

        assertThat(engine.named(parsedAgain)).isSameAs(subscribed);
        ChannelName withoutSubscribers = ChannelName.of("/chat/nobody");
        assertThat(engine.named(withoutSubscribers)).isSameAs(withoutSubscribers);
        engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/*"), Resume.live(), new Recorder());
        ChannelName pattern = ChannelName.of("/chat/*");
        assertThat(engine.named(pattern)).isSameAs(pattern);
    }

    @Test
    void positionsIncreaseByOnePerChannel() {
        Message a = herald.publish(ROOM, "1");
        Message b = herald.publish(ROOM, "2");
        Message other = herald.publish(ChannelName.of("/chat/room2"), "x");
        assertThat(b.position()).isEqualTo(a.position().next());
        assertThat(other.offset()).isEqualTo(1);
    }

    @Test
    void liveSubscribersGetMessagesPublishedAfterSubscribing() {
        herald.publish(ROOM, "before");
        Recorder recorder = new Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), recorder);
        herald.publish(ROOM, "after");
        assertThat(recorder.payloads()).containsExactly("after");
    }

    @Test
    void resumingReplaysWhatWasMissedThenGoesLive() {
        Message first = herald.publish(ROOM, "1");
        herald.publish(ROOM, "2");
        herald.publish(ROOM, "3");
        Recorder recorder = new Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.after(first.position()), recorder);
        herald.publish(ROOM, "4");
        assertThat(recorder.payloads()).containsExactly("2", "3", "4");
    }

    @Test
    void resumingBeyondRetentionReportsTheGapFirst() {
        Message first = herald.publish(ROOM, "0");
        for (int i = 1; i <= 15; i++) {
            herald.publish(ROOM, String.valueOf(i));
        }
        Recorder recorder = new Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.after(first.position()), recorder);
        assertThat(recorder.events.get(0)).isEqualTo(Gap.retention(ROOM, herald.engine().head(ROOM).epoch(), 1, 7));
        assertThat(recorder.payloads()).hasSize(10).startsWith("6").endsWith("15");
    }

    @Test
    void aPositionFromAnotherEpochIsAReset() {
        herald.publish(ROOM, "1");
        Recorder recorder = new Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.after(new Position("gone", 1)), recorder);
        herald.publish(ROOM, "2");
        assertThat(recorder.events.get(0)).isInstanceOfSatisfying(Gap.class, g -> assertThat(g.reset()).isTrue());
        assertThat(recorder.payloads()).containsExactly("2");
    }

    @Test
    void patternSubscribersGetEveryMatchingChannel() {
        Recorder recorder = new Recorder();
        Subscription s = engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/*"), Resume.live(), recorder);
        herald.publish(ROOM, "a");
        herald.publish(ChannelName.of("/chat/room2"), "b");
        herald.publish(ChannelName.of("/chat/room2/deeper"), "no");
        herald.publish(ChannelName.of("/other/x"), "no");
        s.close();
        herald.publish(ROOM, "closed");
        assertThat(recorder.payloads()).containsExactly("a", "b");
    }

    @Test
    void exactAndPatternSubscriptionsOfOneSubscriberBothDeliver() {
        Recorder recorder = new Recorder();
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), recorder);
        engine.subscribe(Principal.ANONYMOUS, ChannelName.of("/chat/**"), Resume.live(), recorder);
        herald.publish(ROOM, "a");
        assertThat(recorder.payloads()).containsExactly("a", "a");
    }

    @Test
    void badPublicationsAreRefusedAndStoreNothing() {
        assertThatThrownBy(() -> herald.publish(ChannelName.of("/chat/*"), "1")).isInstanceOf(InvalidChannelException.class);
        assertThatThrownBy(() -> herald.publish(ChannelName.of("/meta/connect"), "1")).isInstanceOf(InvalidChannelException.class);
        assertThatThrownBy(() -> herald.publish(ROOM, "x".repeat(1025))).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("/chat/room1").hasMessageContaining("1024");
        Principal restricted = new Principal("bob", List.of(ChannelName.of("/public/**")), null);
        assertThatThrownBy(() -> engine.publish(restricted, Publication.json(ROOM, "1")))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("bob");
        assertThatThrownBy(() -> engine.subscribe(restricted, ROOM, Resume.live(), new Recorder()))
                .isInstanceOf(AccessDeniedException.class);
        assertThat(engine.head(ROOM).offset()).isZero();
    }

    @Test
    void aSubscriberThatCannotKeepUpIsCutOffWithItsPosition() {
        Recorder slow = new Recorder() {
            @Override
            public boolean deliver(Message message) {
                return events.size() < 2 && super.deliver(message);
            }
        };
        engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), slow);
        for (int i = 0; i < 5; i++) {
            herald.publish(ROOM, String.valueOf(i));
        }
        await().until(() -> slow.cutOffChannel != null);
        assertThat(slow.payloads()).containsExactly("0", "1");
        assertThat(engine.stats().cutOffs()).isEqualTo(1);
        assertThat(engine.stats().subscriptions()).isZero();
    }

    @Test
    void feedsGoAwayWithTheirLastSubscriber() {
        Subscription s = engine.subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), new Recorder());
        assertThat(engine.stats().channels()).isEqualTo(1);
        s.close();
        assertThat(engine.stats().channels()).isZero();
    }
}
