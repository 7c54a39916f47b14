package io.herald.api;

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
 * <p><b>Failures.</b> A store that cannot complete an operation throws {@link StoreException} and leaves
 * nothing half-done: an append either happened entirely or not at all.
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
     * @return the stored message with its position and id (the publication's id, or a fresh unique one)
     * @throws StoreException if the store cannot be reached; nothing was stored
     */
    Message append(Publication publication);

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
}
