package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Broker}, as its Javadoc and {@link ChannelName}'s pattern rules state it: every
 * broker runs it.
 *
 * <p>A backend extends this class and makes a broker; a clustered one also makes a peer (another node) and
 * says how to drop its connection:
 * <pre>{@code
 * class RedisBrokerContractTest extends BrokerContract {
 *     @Override
 *     protected Broker createBroker() {
 *         return new RedisBroker(redisUrl);
 *     }
 *
 *     @Override
 *     protected Broker createPeerBroker() {
 *         return new RedisBroker(redisUrl);
 *     }
 * }
 * }</pre>
 * The contract needs no history store: every broker publishes through {@link Broker#publish}, even one
 * whose own store also publishes from inside its append ({@link io.herald.api.HistoryStore#publishesTo}).
 *
 * <p>Brokers are made in {@code @BeforeEach}, started if they are a {@link io.herald.api.Lifecycle}, and
 * closed in {@code @AfterEach} by {@link #closeBroker}. Each test uses channels under a namespace of its own,
 * {@code /<random>/...}, so a broker shared with other tests sees nothing of theirs. Waits are bounded by
 * {@link TestEnvironment#timeout()}.
 *
 * <p>Test names say which rule they check: {@code required_broker_<group>_<n>_<rule>}, and
 * {@code optional_...} for what only some brokers can do (skipped otherwise). Not thread-safe; JUnit makes
 * one instance per test.
 */
public abstract class BrokerContract {

    /** The epoch of the positions {@link #publish(Broker, Publication)} gives. */
    protected static final String EPOCH = "contract";

    private final Map<ChannelName, AtomicLong> offsets = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Broker> brokers = new ArrayList<>();
    private TestEnvironment env;
    private Broker broker;
    private String namespace;

    /** Makes a fresh broker; it is started if it is a {@code Lifecycle}. */
    protected abstract Broker createBroker();

    /**
     * Makes a second broker of the same backend, as another node sharing it would have, or {@code null} for a
     * broker confined to one process; the {@code optional_} cross-node tests are skipped then.
     */
    protected Broker createPeerBroker() {
        return null;
    }

    /**
     * Cuts the broker's connection to its backend behind its back and returns {@code true}, or returns
     * {@code false} for a broker without one; the {@code optional_} resync test is skipped then.
     */
    protected boolean dropConnection(Broker broker) throws Exception {
        return false;
    }

    /**
     * Publishes {@code publication} through {@code broker} and returns the message as published: each channel
     * gets consecutive positions from 1 in epoch {@value #EPOCH}, a unique id and a timestamp to the
     * millisecond, and {@link Broker#publish} sends it. Called for one channel from one thread at a time.
     * The {@code 6.} rules send through {@link Broker#publishAsync} instead.
     */
    private Message publish(Broker broker, Publication publication) {
        Message message = next(publication);
        broker.publish(message);
        return message;
    }

    /** The message {@link #publish(Broker, Publication)} would send next, not sent. */
    private Message next(Publication publication) {
        long offset = offsets.computeIfAbsent(publication.channel(), c -> new AtomicLong()).incrementAndGet();
        return Message.of(publication, new Position(EPOCH, offset), namespace + "." + ids.incrementAndGet(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** Closes a broker made by {@link #createBroker}: {@code Lifecycle.stop()}, else {@code close()}. */
    protected void closeBroker(Broker broker) throws Exception {
        Lifecycles.stop(broker);
    }

    /** Timeouts; {@link TestEnvironment#fromEnvironment()} unless overridden. */
    protected TestEnvironment environment() {
        return TestEnvironment.fromEnvironment();
    }

    /** The broker under test. */
    protected final Broker broker() {
        return broker;
    }

    @BeforeEach
    final void setUpBroker() {
        env = environment();
        namespace = "b" + RandomIds.next(10);
        broker = started(createBroker());
    }

    @AfterEach
    final void tearDownBroker() throws Exception {
        for (Broker b : brokers) {
            closeBroker(b);
        }
    }

    private Broker started(Broker b) {
        if (b != null) {
            brokers.add(b);
            Lifecycles.start(b);
        }
        return b;
    }

    // --- helpers ---

    /** The channel or pattern {@code /<namespace><path>} of this test. */
    protected final ChannelName channel(String path) {
        return ChannelName.of("/" + namespace + path);
    }

    private Message publish(ChannelName channel, int n) {
        return publish(broker, Publication.json(channel, "{\"n\":" + n + "}"));
    }

    private List<Message> publishAll(ChannelName channel, int count) {
        List<Message> published = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            published.add(publish(channel, i));
        }
        return published;
    }

    private RecordingListener subscribed(ChannelName channelOrPattern) {
        RecordingListener listener = new RecordingListener();
        broker.subscribe(channelOrPattern, listener);
        return listener;
    }

    private void awaitReceived(RecordingListener listener, List<Message> expected, String who) {
        env.await(who + " receives " + expected.size() + " messages").until(() -> listener.messages().size() >= expected.size());
        assertThat(listener.messages()).as("messages received by %s", who).isEqualTo(expected);
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // --- the contract ---

    @Nested
    @DisplayName("1. delivery")
    class Delivery {

        @Test
        @DisplayName("a listener receives a message published after subscribe returned, intact")
        void required_broker_1_1_receivesWhatIsPublishedAfterSubscribe() {
            ChannelName channel = channel("/chat/room1");
            RecordingListener listener = subscribed(channel);
            byte[] bytes = {0, 1, (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n'};
            Message binary = publish(broker, new Publication(channel, "pub-1", "update", Payload.copyOf(bytes),
                    "application/octet-stream", Map.of("trace", "t1", "x-unicode", "\u2713")));
            Message text = publish(broker, Publication.json(channel, "{\"text\":\"h\u00e9llo \ud83c\udf89\"}"));

            awaitReceived(listener, List.of(binary, text), "a listener of " + channel);
            assertThat(listener.messages().get(0).payload().toByteArray()).as("binary payload after the broker").isEqualTo(bytes);
        }

        @Test
        @DisplayName("a listener receives a channel's messages in the order they were published")
        void required_broker_1_2_keepsPerChannelOrder() {
            ChannelName channel = channel("/ordered");
            RecordingListener listener = subscribed(channel);
            List<Message> published = publishAll(channel, 1000);

            env.await("1000 messages reach the listener of " + channel).until(() -> listener.messages().size() >= 1000);
            assertThat(listener.offsets(channel)).as("offsets received from %s in arrival order", channel).isEqualTo(range(1, 1000));
            assertThat(listener.messages()).as("messages received from %s", channel).isEqualTo(published);
        }

        @Test
        @DisplayName("several listeners of one channel each receive every message")
        void required_broker_1_3_severalListenersEachReceive() {
            ChannelName channel = channel("/shared/room");
            List<RecordingListener> listeners = List.of(subscribed(channel), subscribed(channel), subscribed(channel),
                    subscribed(channel("/shared/*")), subscribed(channel("/**")));
            List<Message> published = publishAll(channel, 20);

            for (int i = 0; i < listeners.size(); i++) {
                awaitReceived(listeners.get(i), published, "listener " + (i + 1) + " of " + listeners.size());
            }
        }

        @Test
        @DisplayName("a listener receives nothing of other channels")
        void required_broker_1_4_otherChannelsAreNotDelivered() {
            ChannelName mine = channel("/room");
            List<ChannelName> others = List.of(channel("/room/deeper"), channel("/roomy"), channel("/other/room"));
            RecordingListener listener = subscribed(mine);
            RecordingListener probe = subscribed(channel("/**"));
            List<Message> elsewhere = new ArrayList<>();
            for (ChannelName other : others) {
                elsewhere.add(publish(other, 1));
            }
            env.await("the probe of every channel receives the messages of other channels")
                    .until(() -> probe.messages().containsAll(elsewhere));
            Message own = publish(mine, 1);

            awaitReceived(listener, List.of(own), "the listener of " + mine);
        }

        @Test
        @DisplayName("each subscription of one listener delivers, and closing one leaves the other")
        void required_broker_1_5_eachSubscriptionDelivers() {
            ChannelName channel = channel("/twice");
            RecordingListener listener = new RecordingListener();
            Broker.Subscription first = broker.subscribe(channel, listener);
            broker.subscribe(channel, listener);
            Message m1 = publish(channel, 1);
            awaitReceived(listener, List.of(m1, m1), "a listener subscribed twice");

            first.close();
            RecordingListener probe = subscribed(channel);
            Message m2 = publish(channel, 2);
            awaitReceived(probe, List.of(m2), "a probe subscribed after the first subscription was closed");
            awaitReceived(listener, List.of(m1, m1, m2), "a listener with one of two subscriptions closed");
        }
    }

    @Nested
    @DisplayName("2. patterns follow ChannelName rules")
    class Patterns {

        private final List<String> paths = List.of("/chat/a", "/chat/b", "/chat/a/b", "/chat", "/chatter/x", "/other/a");

        private List<Message> publishToAll(RecordingListener probe) {
            List<Message> published = new ArrayList<>();
            for (String path : paths) {
                published.add(publish(channel(path), 1));
            }
            env.await("the probe of every channel receives all " + paths.size() + " messages")
                    .until(() -> probe.messages().size() >= published.size());
            return published;
        }

        private List<Message> matching(List<Message> published, ChannelName pattern) {
            return published.stream().filter(m -> pattern.matches(m.channel())).toList();
        }

        @Test
        @DisplayName("'*' matches exactly one more segment")
        void required_broker_2_1_oneSegmentWildcard() {
            ChannelName pattern = channel("/chat/*");
            RecordingListener listener = subscribed(pattern);
            RecordingListener probe = subscribed(channel("/**"));
            List<Message> published = publishToAll(probe);

            List<Message> expected = matching(published, pattern);
            assertThat(expected).extracting(m -> m.channel().value())
                    .containsExactly(channel("/chat/a").value(), channel("/chat/b").value());
            awaitReceived(listener, expected, "a listener of " + pattern);
        }

        @Test
        @DisplayName("'**' matches one or more trailing segments")
        void required_broker_2_2_deepWildcard() {
            ChannelName pattern = channel("/chat/**");
            RecordingListener listener = subscribed(pattern);
            RecordingListener probe = subscribed(channel("/**"));
            List<Message> published = publishToAll(probe);

            List<Message> expected = matching(published, pattern);
            assertThat(expected).hasSize(3);
            awaitReceived(listener, expected, "a listener of " + pattern);
        }

        @Test
        @DisplayName("a pattern listener receives each channel in order, once, beside an exact listener")
        void required_broker_2_3_patternKeepsPerChannelOrder() {
            ChannelName a = channel("/feed/a");
            ChannelName b = channel("/feed/b");
            RecordingListener pattern = subscribed(channel("/feed/*"));
            RecordingListener exact = subscribed(a);
            for (int i = 1; i <= 200; i++) {
                publish(a, i);
                publish(b, i);
            }
            env.await("400 messages reach the listener of /feed/*").until(() -> pattern.messages().size() >= 400);
            env.await("200 messages reach the listener of /feed/a").until(() -> exact.messages().size() >= 200);
            assertThat(pattern.offsets(a)).as("offsets of %s received through /feed/*", a).isEqualTo(range(1, 200));
            assertThat(pattern.offsets(b)).as("offsets of %s received through /feed/*", b).isEqualTo(range(1, 200));
            assertThat(exact.offsets(a)).as("offsets of %s received by its exact listener", a).isEqualTo(range(1, 200));
            assertThat(pattern.messages()).as("messages received through /feed/*").hasSize(400);
        }
    }

    @Nested
    @DisplayName("3. closing a subscription")
    class Closing {

        @Test
        @DisplayName("close stops delivery to that subscription")
        void required_broker_3_1_closeStopsDelivery() {
            ChannelName channel = channel("/room");
            RecordingListener listener = new RecordingListener();
            Broker.Subscription subscription = broker.subscribe(channel, listener);
            RecordingListener probe = subscribed(channel);
            Message m1 = publish(channel, 1);
            awaitReceived(listener, List.of(m1), "the listener before close");

            subscription.close();
            Message m2 = publish(channel, 2);
            awaitReceived(probe, List.of(m1, m2), "a probe of the same channel");
            assertThat(listener.messages()).as("messages received by a listener after its subscription was closed")
                    .containsExactly(m1);
        }

        @Test
        @DisplayName("close is idempotent and leaves the other subscriptions of the channel active")
        void required_broker_3_2_closeIsIdempotent() {
            ChannelName channel = channel("/room");
            RecordingListener closed = new RecordingListener();
            Broker.Subscription subscription = broker.subscribe(channel, closed);
            RecordingListener other = subscribed(channel);
            subscription.close();
            assertThatCode(subscription::close).as("closing a subscription twice").doesNotThrowAnyException();

            Message m = publish(channel, 1);
            awaitReceived(other, List.of(m), "the listener whose subscription stayed open");
            assertThat(closed.messages()).as("messages received by a subscription closed twice").isEmpty();
        }

        @Test
        @DisplayName("closing a pattern subscription stops it, and subscribing again resumes delivery")
        void required_broker_3_3_closeAndResubscribePattern() {
            ChannelName pattern = channel("/room/**");
            ChannelName channel = channel("/room/a/b");
            RecordingListener listener = new RecordingListener();
            broker.subscribe(pattern, listener).close();
            RecordingListener probe = subscribed(channel);
            Message m1 = publish(channel, 1);
            awaitReceived(probe, List.of(m1), "a probe of " + channel);
            assertThat(listener.messages()).as("messages received through a closed pattern subscription").isEmpty();

            broker.subscribe(pattern, listener);
            Message m2 = publish(channel, 2);
            awaitReceived(listener, List.of(m2), "a listener subscribed again to " + pattern);
        }
    }

    @Nested
    @DisplayName("4. under concurrency")
    class Concurrency {

        @Test
        @DisplayName("concurrent publishers on different channels with concurrent subscribe/close keep per-channel order for every listener")
        void required_broker_4_1_perChannelOrderUnderConcurrency() throws Exception {
            long seed = new Random().nextLong();
            int channelCount = 4;
            int perChannel = 400;
            List<ChannelName> channels = new ArrayList<>();
            for (int c = 0; c < channelCount; c++) {
                channels.add(channel("/stress/c" + c));
            }
            List<ChannelName> targets = new ArrayList<>(channels);
            targets.add(channel("/stress/*"));
            targets.add(channel("/**"));
            List<RecordingListener> steady = new ArrayList<>();
            for (ChannelName target : targets) {
                steady.add(subscribed(target));
            }
            Map<ChannelName, List<Message>> published = new ConcurrentHashMap<>();
            List<Map.Entry<ChannelName, RecordingListener>> churned = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean publishing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(channelCount + 2);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> publishers = new ArrayList<>();
                for (int c = 0; c < channelCount; c++) {
                    ChannelName channel = channels.get(c);
                    Random random = new Random(seed + c);
                    publishers.add(pool.submit(() -> {
                        start.await();
                        List<Message> mine = new ArrayList<>();
                        for (int i = 1; i <= perChannel; i++) {
                            mine.add(publish(channel, i));
                            if (random.nextInt(8) == 0) {
                                Thread.yield();
                            }
                        }
                        published.put(channel, mine);
                        return null;
                    }));
                }
                List<Future<?>> churners = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    Random random = new Random(seed - t - 1);
                    churners.add(pool.submit(() -> {
                        start.await();
                        for (int round = 0; round < 5_000 && publishing.get(); round++) {
                            ChannelName target = targets.get(random.nextInt(targets.size()));
                            RecordingListener listener = new RecordingListener();
                            Broker.Subscription subscription = broker.subscribe(target, listener);
                            churned.add(Map.entry(target, listener));
                            for (int y = random.nextInt(4); y > 0; y--) {
                                Thread.yield();
                            }
                            subscription.close();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> publisher : publishers) {
                    publisher.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS);
                }
                publishing.set(false);
                for (Future<?> churner : churners) {
                    churner.get(env.timeout().toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            for (int i = 0; i < targets.size(); i++) {
                ChannelName target = targets.get(i);
                RecordingListener listener = steady.get(i);
                long expected = channels.stream().filter(target::matches).count() * perChannel;
                env.await("the steady listener of " + target + " receives " + expected + " messages (seed " + seed + ")")
                        .until(() -> listener.messages().size() >= expected || listener.resyncs() > 0);
                if (listener.resyncs() > 0) {
                    continue;
                }
                for (ChannelName channel : channels) {
                    if (target.matches(channel)) {
                        assertThat(listener.messages(channel)).as("messages of %s received by the steady listener of %s (seed %d)",
                                channel, target, seed).isEqualTo(published.get(channel));
                    }
                }
            }
            for (Map.Entry<ChannelName, RecordingListener> entry : List.copyOf(churned)) {
                RecordingListener listener = entry.getValue();
                if (listener.resyncs() > 0) {
                    continue;
                }
                for (ChannelName channel : channels) {
                    List<Long> offsets = listener.offsets(channel);
                    assertThat(offsets).as("offsets of %s received by a listener of %s subscribed and closed while publishing (seed %d)",
                            channel, entry.getKey(), seed).isSorted().doesNotHaveDuplicates();
                    for (Message m : listener.messages(channel)) {
                        assertThat(entry.getKey().matches(channel)).as("%s delivered to a listener of %s", channel, entry.getKey()).isTrue();
                        assertThat(m).as("message %s of %s received while churning (seed %d)", m.position(), channel, seed)
                                .isEqualTo(published.get(channel).get((int) m.offset() - 1));
                    }
                }
            }
            assertThat(churned).as("subscriptions made and closed while publishing").isNotEmpty();
        }
    }

    @Nested
    @DisplayName("6. publishAsync")
    class Confirms {

        @Test
        @DisplayName("publishAsync calls in flight together all complete, and their messages arrive in order")
        void required_broker_6_1_publishAsyncCompletesAndKeepsOrder() {
            ChannelName channel = channel("/confirmed");
            RecordingListener listener = subscribed(channel);
            List<Message> published = new ArrayList<>();
            List<CompletableFuture<Void>> confirmed = new ArrayList<>();
            for (int i = 1; i <= 500; i++) {
                // Never waited for one at a time: a broker with confirms has them all in flight at once.
                Message message = next(Publication.json(channel, "{\"n\":" + i + "}"));
                published.add(message);
                confirmed.add(broker.publishAsync(message));
            }
            env.await("the 500 publishAsync futures complete").until(() -> confirmed.stream().allMatch(CompletableFuture::isDone));
            for (int i = 0; i < confirmed.size(); i++) {
                assertThat(confirmed.get(i)).as("publishAsync of %s", published.get(i).position()).isCompletedWithValue(null);
            }
            awaitReceived(listener, published, "a listener of " + channel);
        }

        @Test
        @DisplayName("a message whose publishAsync completed reaches a listener subscribed before it")
        void required_broker_6_2_completedMeansDelivered() {
            ChannelName channel = channel("/confirmed/one");
            RecordingListener listener = subscribed(channel);
            Message message = next(Publication.json(channel, "{\"n\":1}"));
            CompletableFuture<Void> confirmed = broker.publishAsync(message);
            env.await("publishAsync completes").until(confirmed::isDone);
            assertThat(confirmed).as("publishAsync of %s", message.position()).isCompletedWithValue(null);
            awaitReceived(listener, List.of(message), "a listener of " + channel);
        }
    }

    @Nested
    @DisplayName("5. between nodes (optional)")
    class Nodes {

        @Test
        @DisplayName("a peer node receives what this node publishes, in order, and this node does too")
        void optional_broker_5_1_peerReceivesWhatThisNodePublishes() {
            Broker peer = started(createPeerBroker());
            assumeTrue(peer != null, "the broker is confined to one process: createPeerBroker() returned null");
            ChannelName channel = channel("/cluster/room");
            RecordingListener remote = new RecordingListener();
            peer.subscribe(channel, remote);
            RecordingListener remotePattern = new RecordingListener();
            peer.subscribe(channel("/cluster/*"), remotePattern);
            RecordingListener local = subscribed(channel);
            List<Message> published = publishAll(channel, 100);

            awaitReceived(remote, published, "a listener on the peer node");
            awaitReceived(remotePattern, published, "a pattern listener on the peer node");
            awaitReceived(local, published, "a listener on the publishing node");
        }

        @Test
        @DisplayName("a dropped connection is signalled with onResync, and delivery goes on afterwards")
        void optional_broker_5_2_droppedConnectionIsSignalled() throws Exception {
            ChannelName channel = channel("/resync");
            RecordingListener listener = subscribed(channel);
            assumeTrue(dropConnection(broker), "the broker has no connection to drop: dropConnection() returned false");

            env.await("the listener of " + channel + " is told to resync").until(() -> listener.resyncs() > 0);
            env.await("a message published after the reconnect reaches the listener").until(() -> {
                Message m = publish(channel, 1);
                return listener.messages().contains(m);
            });
        }
    }
}
