package io.herald.api;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Each channel's recent history, and the authority that gives messages their positions.
 *
 * <p><b>Ordering (G1).</b> {@link #append} assigns the next offset of the channel atomically: concurrent
 * appends to one channel, from any number of threads or nodes sharing the store, get distinct consecutive
 * offsets, and a message is visible to {@link #replay} as soon as {@code append} returns.
 *
 * <p><b>Retention.</b> A store keeps at most the {@link Retention} chosen for the channel; the oldest
 * messages go first. Offsets are never reused within an epoch, whatever was dropped.
 *
 * <p><b>Epochs.</b> The epoch of a channel changes only when its history is lost (a memory store in a new
 * process, a Redis key evicted); then offsets start again at 1. A store that survives restarts keeps its
 * epochs.
 *
 * <p><b>Idempotent appends.</b> A publication that carries an {@link Publication#id() id} is appended at most
 * once per channel while a message with that id is retained: appending it again (a publisher retrying after
 * a timeout, from this node or any other sharing the store) returns the message already stored, with its
 * position, timestamp and content, and stores nothing. Concurrent appends of one id store it once; every one
 * of them gets that message. Ids are per channel: the same id on two channels is two messages. Once the
 * message has left retention (trimmed by count or age) or the channel's history was lost (a new epoch), the id
 * is forgotten and an append with it is a new message. Publications without an id are never deduplicated. So
 * a store remembers at most one id per retained message: bounded by retention, like the messages themselves.
 *
 * <p><b>Pipelining.</b> {@link #appendAsync} lets one caller have several appends in flight; the store assigns
 * positions in the order the calls were made (per channel), so a publisher that does not wait still gets its
 * messages in order. The default runs {@link #append} on the calling thread; a remote store overrides it to
 * send the append without waiting for the answer (the Redis store pipelines them on one connection).
 *
 * <p><b>Failures.</b> A store that cannot complete an operation throws {@link StoreException} (or fails the
 * future with it) and leaves nothing half-done: an append either happened entirely or not at all.
 *
 * <p>Implementations are thread-safe. A minimal use:
 * <pre>{@code
 * Message m = history.append(Publication.json(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}"));
 * Replay r = history.replay(m.channel(), Position.start(m.position().epoch()), 100);
 * }</pre>
 */
public interface HistoryStore {

    /**
     * Stores {@code publication} as the newest message of its channel, trimming to retention.
     *
     * @return the stored message with its position and id (the publication's id, or a fresh unique one); for a
     *     publication whose id a retained message of the channel already carries, that message (see
     *     "Idempotent appends")
     * @throws StoreException if the store cannot be reached; nothing was stored
     */
    Message append(Publication publication);

    /**
     * Appends like {@link #append}, without making the caller wait for the store. Calls made one after the other
     * (from one thread, or ordered by the caller) for one channel get their positions in that order, even when
     * the caller does not wait for one before making the next. The future fails with {@link StoreException}
     * when nothing was stored (or, as with any remote store, when the answer was lost).
     *
     * <p>The default appends on the calling thread and cannot tell a repeated id from a new message: a store
     * that can (every store should, see "Idempotent appends") overrides it to report {@link Appended#duplicate()},
     * so that the engine does not publish a retried message twice. Completion may happen on a thread of the
     * store: what depends on the future must not block it.
     *
     * @return the stored message, and whether it was stored by an earlier append with the same id
     */
    default CompletableFuture<Appended> appendAsync(Publication publication) {
        try {
            return CompletableFuture.completedFuture(new Appended(append(publication), false));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The messages after {@code after}, oldest first, at most {@code limit} of them.
     *
     * <ul>
     *   <li>{@code after == null}: from the oldest retained message, no gap.</li>
     *   <li>{@code after} in the current epoch and still covered: the messages after it, no gap.</li>
     *   <li>{@code after} in the current epoch but older than retention: a retention {@link Gap} and the
     *       messages from the oldest retained one.</li>
     *   <li>{@code after} from another epoch, or beyond the head: a reset {@link Gap} and no messages; the
     *       caller continues from {@link Replay#head()}.</li>
     * </ul>
     *
     * @param limit the most messages to return, at least 1
     * @throws StoreException if the store cannot be reached
     */
    Replay replay(ChannelName channel, Position after, int limit);

    /**
     * The position of the channel's newest message, or {@code (epoch, 0)} when it has none yet. A channel
     * never published to still has an epoch, so a client can hold a position before the first message.
     *
     * @throws StoreException if the store cannot be reached
     */
    Position head(ChannelName channel);

    /**
     * Whether {@link #append} already publishes each message through {@code broker}, atomically with storing
     * it (the Redis store's append script does, when the broker is on the same Redis under the same prefix).
     * The engine then does not call {@link Broker#publish} itself, which would deliver every message twice;
     * for any other broker it does. The default is {@code false}: append only stores.
     */
    default boolean publishesTo(Broker broker) {
        return false;
    }

    /**
     * Whether {@link #appendAsync} always returns without waiting: for the network, for room in a pipeline, for
     * a lock held across either. Only a store that keeps history in this process can say so; then a caller on
     * a thread that must never block (an I/O selector) may append there. The default is {@code false}.
     */
    default boolean appendsWithoutWaiting() {
        return false;
    }

    /**
     * What an append did.
     *
     * @param message the message stored for the publication
     * @param duplicate {@code true} when it was stored before, by an append with the same id (nothing was
     *     stored this time)
     */
    record Appended(Message message, boolean duplicate) {
        public Appended {
            Objects.requireNonNull(message, "message");
        }
    }
}
