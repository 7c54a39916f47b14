package io.herald.core;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live flow of one channel on this node: it receives the channel's messages from the broker and hands
 * each to the node's subscribers exactly once, in position order.
 *
 * <p>The feed remembers the last position it dispatched. A message at or before it is a duplicate (the
 * same message can arrive through an exact and a pattern broker subscription); a message past the next one
 * reveals a hole (a broker that dropped messages, a reordering) that is filled from history before the
 * message is dispatched, or reported as a gap when history no longer has it (G2).
 *
 * <p>All state is guarded by the feed's monitor; subscribers' {@code deliver} never blocks, so the monitor is
 * held briefly. Lock order: publish stripe, then feed.
 */
final class ChannelFeed {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelFeed.class);
    private static final ChannelSubscription[] NONE = new ChannelSubscription[0];
    private static final int FILL_BATCH = 1000;

    final ChannelName channel;
    private final Engine engine;

    private Position last;
    private boolean retired;
    private Broker.Subscription brokerSubscription;
    private ChannelSubscription[] subscribers = NONE;

    ChannelFeed(ChannelName channel, Engine engine) {
        this.channel = channel;
        this.engine = engine;
    }

    /**
     * Registers an exact subscription, making sure the broker feeds this channel and the feed knows where the
     * channel stands. Returns the position live delivery starts after, or {@code null} if the feed was
     * retired meanwhile (the caller then takes a fresh feed).
     */
    synchronized Position register(ChannelSubscription subscription) {
        if (retired) {
            return null;
        }
        if (brokerSubscription == null) {
            // Subscribe before reading the head: whatever is appended after the head is read then arrives live.
            brokerSubscription = engine.broker().subscribe(channel, engine.router());
        }
        if (last == null) {
            last = engine.history().head(channel);
        }
        ChannelSubscription[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
        grown[subscribers.length] = subscription;
        subscribers = grown;
        return last;
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

    /** A message from the broker. */
    synchronized void onMessage(Message message) {
        if (retired) {
            return;
        }
        if (last == null) {
            // First seen through a pattern subscription: live from this message on.
            last = new Position(message.position().epoch(), message.offset() - 1);
        }
        if (!message.position().sameEpoch(last)) {
            // The channel's history was lost and restarted: every subscriber's position is void.
            dispatchGap(Gap.reset(channel, last.offset(), 1));
            last = Position.start(message.position().epoch());
        }
        if (message.offset() > last.offset() + 1) {
            fill(message.offset() - 1);
        }
        if (message.position().sameEpoch(last) && message.offset() == last.offset() + 1) {
            dispatch(message);
            last = message.position();
        }
        retireIfUnused();
    }

    /** Re-reads history after the broker may have lost messages. */
    synchronized void resync() {
        if (retired || last == null) {
            return;
        }
        fill(Long.MAX_VALUE);
    }

    /** Dispatches what history holds after {@code last}, up to {@code target}. */
    private void fill(long target) {
        try {
            while (last.offset() < target) {
                Replay replay = engine.history().replay(channel, last, FILL_BATCH);
                if (replay.gap() != null) {
                    dispatchGap(replay.gap());
                    if (replay.gap().reset()) {
                        last = replay.head();
                        return;
                    }
                }
                for (Message m : replay.messages()) {
                    dispatch(m);
                    last = m.position();
                }
                if (replay.complete() || replay.messages().isEmpty()) {
                    return;
                }
            }
        } catch (StoreException e) {
            // History is unreachable: say that something was lost rather than stay silent (G2).
            LOG.warn("cannot fill a hole in {} after {} from history: {}", channel, last, e.getMessage());
            if (target != Long.MAX_VALUE) {
                dispatchGap(Gap.retention(channel, last.offset(), target + 1));
                last = new Position(last.epoch(), target);
            }
        }
    }

    private void dispatch(Message message) {
        int delivered = 0;
        for (ChannelSubscription s : subscribers) {
            if (s.offer(message)) {
                delivered++;
            }
        }
        delivered += engine.offerToPatterns(message);
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
        if (subscribers.length == 0 && !engine.patternsMatch(channel)) {
            retired = true;
            engine.removeFeed(this);
            if (brokerSubscription != null) {
                brokerSubscription.close();
                brokerSubscription = null;
            }
        }
    }

    synchronized int subscriberCount() {
        return subscribers.length;
    }
}
