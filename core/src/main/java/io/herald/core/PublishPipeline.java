package io.herald.core;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.HistoryStore.Appended;
import io.herald.api.Message;
import io.herald.api.Publication;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's publish path after validation: append to history, then hand each stored message to the broker
 * and the {@link PublishListener}s, per channel in position order, with any number of appends in flight.
 *
 * <p><b>How order is kept.</b> Each channel with publishes in progress has a lane: a queue of its pending
 * publishes. A publish enters the lane and is handed to {@link HistoryStore#appendAsync} under the lane's lock,
 * so the store receives a channel's appends in queue order and gives them positions in that order. When an
 * append completes, the lane is drained from its head while the head's append is complete: the broker and the
 * listeners see a channel's messages in position order, one at a time, whichever thread completed which
 * append. One thread drains a lane at a time (a work counter, no lock), so a store's completion thread never
 * waits for a publisher, and a publisher waits for no one but publishers of its own channel while it hands
 * the append to the store. No lock of this class is held while the store or broker is called, except the
 * lane's for the hand-over, which nothing outside the publish path takes (no broker dispatcher, no
 * subscribe). A lane that empties is retired; the next publish to its channel starts a new one.
 *
 * <p>The broker gets each message through {@link Broker#publishAsync}, in position order and without waiting
 * for its confirm; a publish completes once the broker confirmed it, or fails with the broker's error (the
 * message stays stored, so a retry with the same id is answered with it). The listeners are told at
 * hand-over, in order.
 *
 * <p>A refused or failed append fails its publish and publishes nothing. A retried publication whose id the
 * store already holds completes with the stored message and is neither handed to the broker nor told to the
 * listeners again. Thread-safe.
 */
final class PublishPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(PublishPipeline.class);

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final HistoryStore history;
    private final Broker broker;
    /** The store's append already published to this broker (Redis on Redis): publishing again would repeat. */
    private final boolean appendPublishes;
    private final List<PublishListener> listeners;
    private final Counter published;
    private final Map<ChannelName, Lane> lanes = new ConcurrentHashMap<>();

    PublishPipeline(HistoryStore history, Broker broker, List<PublishListener> listeners, Counter published) {
        this.history = history;
        this.broker = broker;
        this.appendPublishes = history.publishesTo(broker);
        this.listeners = listeners;
        this.published = published;
    }

    /** Appends {@code publication} and publishes it once stored; the future completes after the listeners ran. */
    CompletableFuture<Message> publish(Publication publication) {
        return submit(publication).result;
    }

    /**
     * Publishes and waits. A publish made while this thread delivers its channel (a listener or a memory-broker
     * subscriber that publishes) cannot wait for its own turn, which comes after the delivery in progress: it
     * returns once stored, and its delivery follows on this thread.
     */
    Message publishAndWait(Publication publication) {
        Pending pending = submit(publication);
        if (!pending.result.isDone() && pending.lane.drainer == Thread.currentThread()) {
            return join(pending.stored).message();
        }
        return join(pending.result);
    }

    /** The result of a future, or its failure as thrown by the code that failed it. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private Pending submit(Publication publication) {
        ChannelName channel = publication.channel();
        while (true) {
            Lane lane = lanes.computeIfAbsent(channel, Lane::new);
            Pending pending;
            lane.lock.lock();
            try {
                if (lane.retired) {
                    continue;
                }
                pending = new Pending(lane, appendAsync(publication));
                lane.queue.add(pending);
            } finally {
                lane.lock.unlock();
            }
            pending.stored.whenComplete((appended, failure) -> drain(lane));
            return pending;
        }
    }

    private CompletableFuture<Appended> appendAsync(Publication publication) {
        try {
            return history.appendAsync(publication);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Delivers the lane's completed head publishes in order; whoever finds the lane busy leaves it to its drainer. */
    private void drain(Lane lane) {
        if (lane.work.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            lane.drainer = Thread.currentThread();
            Pending head;
            while ((head = lane.queue.peek()) != null && head.stored.isDone()) {
                lane.queue.poll();
                deliver(head);
            }
            lane.drainer = null;
            missed = lane.work.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
        retireIfIdle(lane);
    }

    private void deliver(Pending pending) {
        Appended appended;
        try {
            appended = join(pending.stored);
        } catch (RuntimeException | Error e) {
            pending.result.completeExceptionally(e);
            return;
        }
        Message message = appended.message();
        if (appended.duplicate()) {
            // A retry of a message already stored: it was published then, and must not be again.
            pending.result.complete(message);
            return;
        }
        CompletableFuture<Void> confirmed;
        try {
            // Handed over in position order, never waited for here: a broker with confirms pipelines them.
            confirmed = appendPublishes ? DONE : broker.publishAsync(message);
        } catch (RuntimeException e) {
            pending.result.completeExceptionally(e);
            return;
        }
        if (confirmed.isCompletedExceptionally()) {
            // Refused on the spot (a synchronous broker's publish threw): not published, so no listener hears of it.
            confirmed.whenComplete((ok, failure) -> pending.result.completeExceptionally(unwrap(failure)));
            return;
        }
        published.increment();
        for (PublishListener listener : listeners) {
            try {
                listener.published(message);
            } catch (RuntimeException e) {
                // One faulty listener must not stall the channel or keep the others from hearing of it.
                LOG.warn("publish listener {} failed on {} at {}", listener, message.channel(), message.position(), e);
            }
        }
        // The publisher hears of success only once the broker confirmed (the message is stored either way).
        confirmed.whenComplete((ok, failure) -> {
            if (failure == null) {
                pending.result.complete(message);
            } else {
                pending.result.completeExceptionally(unwrap(failure));
            }
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }

    /**
     * Retires an empty lane, unless a publisher holds it (it is adding to it) or a drain is in progress: then the
     * lane stays, and is retired by that publish's drain. A lane retired while another thread still delivered its
     * last message let the channel's next publish start a new lane, whose drainer could tell the listeners of the
     * next position before the old one told them of its own (PublishOrderStressTest caught it, 1 run in ~30).
     * Never waits, so a store's completion thread never blocks here.
     */
    private void retireIfIdle(Lane lane) {
        if (!lane.queue.isEmpty() || lane.work.get() != 0 || !lane.lock.tryLock()) {
            return;
        }
        try {
            // Under the lock no publish can add to the queue; a drain that starts after this check finds the queue
            // empty (its publish was added before the lock was taken, so the check above would have seen it).
            if (lane.queue.isEmpty() && lane.work.get() == 0 && !lane.retired) {
                lane.retired = true;
                lanes.remove(lane.channel, lane);
            }
        } finally {
            lane.lock.unlock();
        }
    }

    /** Channels with publishes in progress, for tests. */
    int activeLanes() {
        return lanes.size();
    }

    /** The pending publishes of one channel, oldest first. */
    private static final class Lane {
        final ChannelName channel;
        final ReentrantLock lock = new ReentrantLock();
        final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger work = new AtomicInteger();
        /** Guarded by {@link #lock}. */
        boolean retired;
        volatile Thread drainer;

        Lane(ChannelName channel) {
            this.channel = channel;
        }
    }

    /** One publish: its append, and what its caller waits for. */
    private static final class Pending {
        final Lane lane;
        final CompletableFuture<Appended> stored;
        final CompletableFuture<Message> result = new CompletableFuture<>();

        Pending(Lane lane, CompletableFuture<Appended> stored) {
            this.lane = lane;
            this.stored = stored;
        }
    }
}
