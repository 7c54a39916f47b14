package io.herald.core;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live flow of one channel on this node: it receives the channel's messages from the broker and hands
 * each to the node's subscribers exactly once, in position order.
 *
 * <p><b>Invariant.</b> {@code last} is the last position dispatched; every subscriber registered at
 * {@code last} gets every later message of the channel from this feed, or a gap. A message at or before
 * {@code last} is a duplicate (the same message can arrive through an exact and a pattern broker
 * subscription); a message past the next one reveals a hole (a broker that dropped messages, a reordering),
 * which is filled from history.
 *
 * <p><b>No remote I/O under the monitor.</b> The broker's dispatcher thread takes the monitor for every
 * message, so the monitor never waits on the store or the broker: the first exact subscription
 * {@linkplain #activate() activates} the feed (broker subscription, head) outside it, and holes are filled
 * by a task on the engine's workers while the messages that keep arriving wait in a bounded queue. If
 * history cannot be read for a fill, the feed's subscribers are cut off with their positions (they resume
 * from history later): a store outage is not reported as loss.
 *
 * <p>Subscribers' {@code deliver} never blocks, so the monitor is held briefly.
 */
final class ChannelFeed {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelFeed.class);
    private static final ChannelSubscription[] NONE = new ChannelSubscription[0];
    private static final int FILL_BATCH = 1000;
    private static final int PENDING_LIMIT = 4096;

    final ChannelName channel;
    private final Engine engine;

    // Guarded by this.
    private Position last;
    private boolean retired;
    private CompletableFuture<Void> activation;
    private Broker.Subscription brokerSubscription;
    private ChannelSubscription[] subscribers = NONE;
    private boolean filling;
    private final ArrayDeque<Message> pending = new ArrayDeque<>();
    private boolean pendingOverflowed;
    private long lastActivity = System.nanoTime();

    ChannelFeed(ChannelName channel, Engine engine) {
        this.channel = channel;
        this.engine = engine;
    }

    /**
     * Registers an exact subscription: makes sure the broker feeds this channel and the feed knows where the
     * channel stands, then attaches the subscription at {@code last}. Returns that position, or {@code null}
     * if the feed was retired meanwhile (the caller takes a fresh feed).
     *
     * @throws StoreException if the broker or store cannot be reached; nothing stays registered
     */
    Position register(ChannelSubscription subscription, Resume resume) {
        if (!activate()) {
            return null;
        }
        synchronized (this) {
            if (retired) {
                return null;
            }
            ChannelSubscription[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
            grown[subscribers.length] = subscription;
            subscribers = grown;
            subscription.attach(this, last, resume);
            return last;
        }
    }

    /** Subscribes to the broker, then reads the head, outside the monitor; once per feed. False if retired. */
    private boolean activate() {
        CompletableFuture<Void> mine;
        CompletableFuture<Void> theirs;
        synchronized (this) {
            if (retired) {
                return false;
            }
            if (activation == null) {
                activation = new CompletableFuture<>();
                mine = activation;
                theirs = null;
            } else {
                mine = null;
                theirs = activation;
            }
        }
        if (theirs != null) {
            try {
                theirs.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            return true;
        }
        Broker.Subscription subscribed = null;
        try {
            // Subscribe before reading the head: whatever is appended after the head is read then arrives live.
            subscribed = engine.broker().subscribe(channel, engine.router());
            Position head = engine.history().head(channel);
            synchronized (this) {
                brokerSubscription = subscribed;
                if (last == null) {
                    last = head;
                } else if (last.sameEpoch(head) && last.offset() < head.offset() && !filling) {
                    // Pattern traffic set 'last' earlier; what was appended since and published before this
                    // broker subscription existed is read from history.
                    startFill();
                }
            }
            mine.complete(null);
            return true;
        } catch (RuntimeException e) {
            if (subscribed != null) {
                subscribed.close();
            }
            synchronized (this) {
                brokerSubscription = null;
                activation = null;
                retireIfUnused();
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    synchronized void unregister(ChannelSubscription subscription) {
        for (int i = 0; i < subscribers.length; i++) {
            if (subscribers[i] == subscription) {
                ChannelSubscription[] rest = new ChannelSubscription[subscribers.length - 1];
                System.arraycopy(subscribers, 0, rest, 0, i);
                System.arraycopy(subscribers, i + 1, rest, i, subscribers.length - i - 1);
                subscribers = rest;
                break;
            }
        }
        retireIfUnused();
    }

    /** A message from the broker; {@code false} if this feed is retired and the caller must use a fresh one. */
    synchronized boolean onMessage(Message message) {
        if (retired) {
            return false;
        }
        lastActivity = System.nanoTime();
        if (filling) {
            if (pending.size() < PENDING_LIMIT) {
                pending.add(message);
            } else {
                pendingOverflowed = true;
            }
            return true;
        }
        accept(message);
        retireIfUnused();
        return true;
    }

    /** Re-reads history after the broker may have lost messages. */
    synchronized void resync() {
        if (retired || last == null || filling) {
            return;
        }
        startFill();
    }

    private void accept(Message message) {
        if (last == null) {
            // First seen through a pattern subscription: live from this message on.
            last = new Position(message.position().epoch(), message.offset() - 1);
        }
        if (!message.position().sameEpoch(last)) {
            // The channel's history was lost and restarted: every subscriber's position is void.
            dispatchGap(Gap.reset(channel, message.position().epoch(), last.offset(), 1));
            last = Position.start(message.position().epoch());
        }
        if (message.offset() <= last.offset()) {
            return;
        }
        if (message.offset() == last.offset() + 1) {
            dispatch(message);
            last = message.position();
            return;
        }
        startFill();
    }

    private void startFill() {
        filling = true;
        engine.execute(this::fill, () -> {
            synchronized (this) {
                storeFailed("the engine's workers are saturated");
            }
        });
    }

    /** Dispatches what history holds after {@code last}, then what queued up meanwhile; on an engine worker. */
    private void fill() {
        while (true) {
            Position from;
            synchronized (this) {
                if (retired) {
                    filling = false;
                    pending.clear();
                    return;
                }
                from = last;
            }
            Replay replay;
            try {
                replay = engine.history().replay(channel, from, FILL_BATCH);
            } catch (StoreException e) {
                synchronized (this) {
                    storeFailed(e.getMessage());
                }
                return;
            }
            synchronized (this) {
                if (retired) {
                    continue;
                }
                Gap gap = replay.gap();
                if (gap != null && gap.reset() && !gap.epoch().equals(from.epoch())) {
                    // The history was lost and began again while the broker lost messages (a Redis failover to
                    // a replica lacking the last writes). A replay answers such a reset with the new epoch's
                    // head, but these subscribers were live: like a live message of the new epoch (accept),
                    // the reset leads to its first offset, and history tells what it still holds of it.
                    dispatchGap(Gap.reset(channel, gap.epoch(), gap.after(), 1));
                    last = Position.start(gap.epoch());
                    continue;
                }
                if (gap != null) {
                    dispatchGap(gap);
                    last = gap.resumeAfter();
                }
                for (Message m : replay.messages()) {
                    if (m.position().sameEpoch(last) && m.offset() <= last.offset()) {
                        continue;
                    }
                    dispatch(m);
                    last = m.position();
                }
                if (!replay.complete() && !replay.messages().isEmpty()) {
                    continue;
                }
                if (pendingOverflowed) {
                    // What did not fit is in history: read again rather than hold it.
                    pendingOverflowed = false;
                    pending.clear();
                    continue;
                }
                filling = false;
                while (!filling && !pending.isEmpty()) {
                    accept(pending.poll());
                }
                retireIfUnused();
                return;
            }
        }
    }

    /**
     * History cannot be read to fill a hole. Saying "lost" would be false (history may well hold the
     * messages), so the exact subscribers are cut off at their positions and resume from history later;
     * pattern subscribers, which cannot resume, are told their position on this channel is void.
     */
    private void storeFailed(String reason) {
        LOG.warn("cannot fill {} after {} from history ({}); cutting its subscribers off at their positions", channel, last, reason);
        filling = false;
        pending.clear();
        pendingOverflowed = false;
        for (ChannelSubscription s : subscribers) {
            s.cutOffAtPosition();
        }
        if (last != null) {
            engine.offerGapToPatterns(Gap.reset(channel, last.epoch(), last.offset(), last.offset() + 1));
        }
        retire();
    }

    private void dispatch(Message message) {
        int delivered = 0;
        // The wake-ups of all these subscribers' writers are handed over in chunks, not one queue insert each.
        engine.threads().holdWrites();
        try {
            for (ChannelSubscription s : subscribers) {
                if (s.offer(message)) {
                    delivered++;
                }
            }
            delivered += engine.offerToPatterns(message);
        } finally {
            engine.threads().releaseWrites();
        }
        engine.countDelivered(delivered);
    }

    private void dispatchGap(Gap gap) {
        for (ChannelSubscription s : subscribers) {
            s.offerGap(gap);
        }
        engine.offerGapToPatterns(gap);
        engine.countGap();
    }

    private void retireIfUnused() {
        if (subscribers.length == 0 && !filling && !activating() && !engine.patternsMatch(channel)) {
            retire();
        }
    }

    /**
     * Retires the feed if only pattern subscribers use it and it has been idle for {@code idleNanos}: such
     * feeds exist for deduplication and ordering only, and would otherwise pile up for every channel a
     * pattern ever saw (G6).
     */
    synchronized boolean retireIfIdle(long now, long idleNanos) {
        if (!retired && subscribers.length == 0 && !filling && !activating() && now - lastActivity >= idleNanos) {
            retire();
            return true;
        }
        return false;
    }

    private boolean activating() {
        return activation != null && !activation.isDone();
    }

    private void retire() {
        retired = true;
        engine.removeFeed(this);
        if (brokerSubscription != null) {
            brokerSubscription.close();
            brokerSubscription = null;
        }
    }
}
