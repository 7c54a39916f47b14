package io.herald.bayeux;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides, for one client, which drained messages are written.
 *
 * <ul>
 *   <li><b>One copy per publish</b>: when several subscriptions of the client match a channel, each queues the
 *       message; the one whose position was already written for that channel is skipped.</li>
 *   <li><b>Rewinds</b>: a channel replayed from an earlier position while the old subscription had left later
 *       messages queued. Until the replay reaches the position written before, only the next position in line
 *       is written; everything else comes again, in order, from the replay.</li>
 * </ul>
 * Not thread-safe: used under the client's lock.
 */
final class DeliveryFilter {

    /** Channels whose last written position is remembered. */
    private static final int CHANNELS = 1024;

    /** A channel catching up after a rewind: the next offset to write, and where the rewind ends. */
    private static final class Fence {
        final String epoch;
        long next;
        final long until;

        Fence(String epoch, long next, long until) {
            this.epoch = epoch;
            this.next = next;
            this.until = until;
        }
    }

    // Both made when first needed: a client that was sent nothing yet (an idle one) has neither.
    private Map<ChannelName, Position> lastSent;
    private Map<ChannelName, Fence> fences;

    private static Map<ChannelName, Position> lastSentMap() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChannelName, Position> eldest) {
                return size() > CHANNELS;
            }
        };
    }

    /** Whether {@code message} is written; a redelivery (acknowledgement extension) always is, in turn. */
    boolean accept(Message message, boolean redelivered) {
        ChannelName channel = message.channel();
        Fence fence = fences == null || fences.isEmpty() ? null : fences.get(channel);
        if (fence != null) {
            if (!fence.epoch.equals(message.position().epoch())) {
                fences.remove(channel);
            } else if (message.offset() != fence.next) {
                return false; // left queued before the rewind, or a second copy: the replay brings it
            } else if (++fence.next > fence.until) {
                fences.remove(channel);
            }
        }
        if (lastSent == null) {
            lastSent = lastSentMap();
        }
        Position last = lastSent.get(channel);
        if (!redelivered && last != null && last.sameEpoch(message.position()) && message.offset() <= last.offset()) {
            return false; // another subscription of this client already wrote it
        }
        lastSent.put(channel, message.position());
        return true;
    }

    /** A gap moves a rewinding channel to where delivery continues. */
    void gap(Gap gap) {
        Fence fence = fences == null ? null : fences.get(gap.channel());
        if (fence != null) {
            fence.next = gap.firstAvailable();
            if (!fence.epoch.equals(gap.epoch()) || fence.next > fence.until) {
                fences.remove(gap.channel());
            }
        }
    }

    /**
     * {@code channel} replays from {@code after}, having been written up to {@code written} (or null).
     *
     * <p>A rewind while an earlier one is still catching up keeps the earlier fence's end: {@code written} is then
     * the cursor of the earlier replay's subscription (where that replay started), but messages the subscription
     * before it had queued, later than that, may still be waiting in the outbox. Dropping the fence would let
     * them through first and make the replayed stretch before them look like repeats: a lost stretch (a client
     * cut twice in a row, its second rejoin replaying from the same position as the first).
     */
    void rewind(ChannelName channel, Position after, Position written) {
        if (lastSent != null) {
            lastSent.remove(channel);
        }
        if (fences == null) {
            fences = new HashMap<>();
        }
        long until = written != null && written.sameEpoch(after) ? written.offset() : Long.MIN_VALUE;
        Fence earlier = fences.get(channel);
        if (earlier != null && earlier.epoch.equals(after.epoch())) {
            until = Math.max(until, earlier.until);
        }
        if (until > after.offset()) {
            fences.put(channel, new Fence(after.epoch(), after.offset() + 1, until));
        } else {
            fences.remove(channel);
        }
    }

    /** Forgets everything: a fresh connection starts over. */
    void clear() {
        lastSent = null;
        fences = null;
    }
}
