package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.api.AccessDeniedException;
import io.herald.api.Authorizer;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.InvalidChannelException;
import io.herald.api.Message;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The engine's publish path: refusals, retries, failures and what an append in flight may hold up. */
class PublishPipelineTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room1");
    private static final Principal ALICE = new Principal("alice", null, java.util.Map.of());

    private final List<Message> heard = new CopyOnWriteArrayList<>();
    private final GatedStore store = new GatedStore(new MemoryHistoryStore());
    private final Authorizer onlyRoomOne = new Authorizer() {
        @Override
        public boolean maySubscribe(Principal principal, ChannelName channel) {
            return true;
        }

        @Override
        public boolean mayPublish(Principal principal, ChannelName channel) {
            return channel.equals(ROOM);
        }
    };
    private final Engine engine = new Engine(store, new MemoryBroker(), onlyRoomOne, new SimpleMeterRegistry(),
            Settings.defaults().with(CoreSettings.PUBLISH_MAX_PAYLOAD, "16"), Set.of(heard::add), PublishOrderStressTest.startedThreads());

    @Test
    void asyncRefusalsFailTheFutureWithTheSynchronousExceptionsAndStoreNothing() {
        ChannelName other = ChannelName.of("/chat/other");
        assertThat(failureOf(engine.publishAsync(Principal.SERVER, Publication.json(ChannelName.of("/chat/*"), "{}"))))
                .isInstanceOf(InvalidChannelException.class);
        assertThat(failureOf(engine.publishAsync(Principal.SERVER, Publication.json(ChannelName.of("/meta/x"), "{}"))))
                .isInstanceOf(InvalidChannelException.class);
        assertThat(failureOf(engine.publishAsync(Principal.SERVER, Publication.json(ROOM, "{\"much\":\"too large\"}"))))
                .isInstanceOf(PayloadTooLargeException.class);
        assertThat(failureOf(engine.publishAsync(ALICE, Publication.json(other, "{}")))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> engine.publish(ALICE, Publication.json(other, "{}"))).isInstanceOf(AccessDeniedException.class);

        assertThat(engine.head(ROOM).offset()).as("head of the refused channel").isZero();
        assertThat(engine.head(other).offset()).isZero();
        assertThat(heard).as("what listeners heard of refused publishes").isEmpty();
        assertThat(engine.stats().published()).isZero();
    }

    @Test
    void aRetryReturnsTheOriginalAndPublishesNothing() {
        Recorder subscriber = new Recorder();
        engine.subscribe(Principal.SERVER, ROOM, Resume.live(), subscriber);
        Publication publication = new Publication(ROOM, "order-42", null, io.herald.api.Payload.utf8("{}"), null, null);

        Message first = engine.publish(ALICE, publication);
        Message retry = engine.publishAsync(ALICE, publication).join();
        Message again = engine.publish(ALICE, publication);

        assertThat(retry).isEqualTo(first);
        assertThat(again).isEqualTo(first);
        assertThat(engine.head(ROOM).offset()).as("messages stored").isEqualTo(1);
        assertThat(heard).as("what listeners heard").containsExactly(first);
        assertThat(subscriber.messages).as("what a live subscriber got").containsExactly(first);
        assertThat(engine.stats().published()).isEqualTo(1);
    }

    @Test
    void aFailedAppendFailsItsPublishAloneAndTheChannelGoesOn() {
        store.failNext.set(true);
        assertThat(failureOf(engine.publishAsync(ALICE, Publication.json(ROOM, "1")))).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> {
            store.failNext.set(true);
            engine.publish(ALICE, Publication.json(ROOM, "2"));
        }).isInstanceOf(StoreException.class).hasMessage("store down");

        Message stored = engine.publish(ALICE, Publication.json(ROOM, "3"));
        assertThat(stored.offset()).isEqualTo(1);
        assertThat(heard).containsExactly(stored);
    }

    /**
     * Bug 6 of issue 7, publish half: the append ran under the engine's stripe lock, which subscribe takes
     * too (then a feed's, which broker dispatchers take), so a slow store held up subscribers, and the
     * publishes of every channel sharing the stripe, for as long as one append took.
     */
    @Test
    void anAppendInFlightHoldsUpNoSubscribeAndNoOtherChannel() throws Exception {
        ChannelName sameStripe = sameStripeAs(ROOM);
        store.gate(ROOM);
        CompletableFuture<Message> blocked = CompletableFuture.supplyAsync(() -> engine.publish(ALICE, Publication.json(ROOM, "1")));
        try {
            await("the append to enter the store").until(() -> store.entered.getCount() == 0);

            Recorder subscriber = new Recorder();
            CompletableFuture<Subscription> subscribe = CompletableFuture.supplyAsync(
                    () -> engine.subscribe(Principal.SERVER, ROOM, Resume.live(), subscriber));
            CompletableFuture<Message> other = CompletableFuture.supplyAsync(
                    () -> engine.publish(Principal.SERVER, Publication.json(sameStripe, "2")));
            await("a subscribe to the channel whose append is in flight").until(subscribe::isDone);
            await("a publish to another channel of the same stripe").until(other::isDone);
            assertThat(other.join().offset()).isEqualTo(1);
            assertThat(blocked).as("the gated publish").isNotDone();

            store.release.countDown();
            Message first = blocked.join();
            await().until(() -> subscriber.messages.size() == 1);
            assertThat(subscriber.messages).as("the subscriber that came while the append was in flight").containsExactly(first);
        } finally {
            store.release.countDown();
        }
    }

    @Test
    void aSubscriberMayPublishToItsOwnChannelWhileBeingDelivered() {
        List<Message> received = new CopyOnWriteArrayList<>();
        engine.subscribe(Principal.SERVER, ROOM, Resume.live(), new Subscriber() {
            @Override
            public boolean deliver(Message message) {
                received.add(message);
                if (message.offset() == 1) {
                    // The memory broker delivers on the publishing thread, inside the channel's delivery.
                    Message echo = engine.publish(Principal.SERVER, Publication.json(ROOM, "\"echo\""));
                    assertThat(echo.offset()).isEqualTo(2);
                }
                return true;
            }
        });

        engine.publish(Principal.SERVER, Publication.json(ROOM, "1"));

        assertThat(received).extracting(Message::offset).containsExactly(1L, 2L);
        assertThat(heard).extracting(Message::offset).containsExactly(1L, 2L);
        assertThat(engine.pipeline().activeLanes()).as("lanes left once every publish was delivered").isZero();
    }

    /** A channel whose engine stripe is {@code channel}'s: the stripe index is the hash modulo 64. */
    private static ChannelName sameStripeAs(ChannelName channel) {
        int stripe = (channel.hashCode() & 0x7fffffff) % 64;
        for (int i = 0; ; i++) {
            ChannelName candidate = ChannelName.of("/chat/s" + i);
            if ((candidate.hashCode() & 0x7fffffff) % 64 == stripe) {
                return candidate;
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static final class Recorder implements Subscriber {
        final List<Message> messages = new CopyOnWriteArrayList<>();

        @Override
        public boolean deliver(Message message) {
            messages.add(message);
            return true;
        }
    }

    /** The memory store, whose appends to one channel can be held at a gate, and which can fail an append. */
    private static final class GatedStore implements HistoryStore {
        final HistoryStore store;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean failNext = new AtomicBoolean();
        volatile ChannelName gated;

        GatedStore(HistoryStore store) {
            this.store = store;
        }

        void gate(ChannelName channel) {
            gated = channel;
        }

        @Override
        public Message append(Publication publication) {
            if (failNext.getAndSet(false)) {
                throw new StoreException("store down");
            }
            if (publication.channel().equals(gated)) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted");
                }
            }
            return store.append(publication);
        }

        @Override
        public CompletableFuture<Appended> appendAsync(Publication publication) {
            // Gated and failing appends take the synchronous fallback, as a store without pipelining does; the
            // others are the memory store's, which tells retries apart.
            if (failNext.get() || publication.channel().equals(gated)) {
                return HistoryStore.super.appendAsync(publication);
            }
            return store.appendAsync(publication);
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
