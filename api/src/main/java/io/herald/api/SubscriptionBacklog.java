package io.herald.api;

import java.util.List;

/**
 * A place outside history that keeps every message of a durable subscription's channel until the subscriber
 * is done with it, so that a subscriber away for longer than {@link Retention} still gets everything: the
 * RabbitMQ broker's durable per-subscription queues (STOMP {@code x-queue-name}), where history alone would
 * answer with a retention {@link Gap}.
 *
 * <p><b>Who calls what.</b> Core opens a backlog when a durable session subscribes to an exact channel with
 * one ({@link #open}), releases what the subscriber has acknowledged as it goes ({@link #release}), and, when
 * catching the subscriber up, asks it for the messages history no longer holds ({@link #read}) before it
 * would report a retention gap. It closes its reader when the subscription's connection ends
 * ({@link #close}) and deletes the backlog when the durable subscription ends: unsubscribed for good, or its
 * session ended or expired ({@link #delete}).
 *
 * <p><b>Contract.</b>
 * <ul>
 *   <li>Once {@link #open} returns, every message published to the channel afterwards is kept, in position
 *       order, until released or deleted, whether or not a subscriber is connected, on any node.</li>
 *   <li>{@link #read} returns kept messages after a position, oldest first; it never discards anything, so
 *       reading the same range again (a subscriber that dropped before acknowledging) returns it again.</li>
 *   <li>{@link #release} discards messages up to a position, for good; it does not wait for the backend.</li>
 *   <li>{@link #close} gives up this node's hold on what it read: everything not released stays kept, in
 *       order, for the next {@link #read} on any node.</li>
 *   <li>Opening a name that exists keeps what it holds (a resuming subscriber); a deleted name keeps
 *       nothing, and {@link #read} of it returns nothing.</li>
 * </ul>
 * Messages of another epoch than the position asked about are never returned: after history was lost the
 * subscriber is told a reset, as without a backlog.
 *
 * <p>{@link #NONE} keeps nothing: a subscriber away beyond retention gets the gap (G2). Implementations are
 * thread-safe. Each {@link #open} is matched by one {@link #close} (or a {@link #delete}); a name may be opened
 * again before an earlier opener closed it, when a client takes its subscription over from a connection not yet
 * seen dropping: the earlier close must then leave the newer opener everything, and a close racing the next open
 * must never let that open read past what the closing one still holds.
 */
public interface SubscriptionBacklog {

    /** Keeps nothing: every method is a no-op, {@link #read} returns nothing and any name is accepted. */
    SubscriptionBacklog NONE = new SubscriptionBacklog() {
        @Override
        public boolean keeps() {
            return false;
        }

        @Override
        public void open(String name, ChannelName channel) {
        }

        @Override
        public List<Message> read(String name, Position after, int limit) {
            return List.of();
        }

        @Override
        public void release(String name, Position upTo) {
        }

        @Override
        public void close(String name) {
        }

        @Override
        public void delete(String name) {
        }
    };

    /** Whether this backlog keeps anything; {@code false} only for {@link #NONE}-like backlogs. */
    default boolean keeps() {
        return true;
    }

    /**
     * The name of the backlog of subscription {@code key} of durable session {@code session}, when the client
     * did not choose one. The default, {@code herald.dsub.<session>.<key>}, is unique per subscription and
     * can be derived again from a session record, so an expired session's backlogs can be found.
     */
    default String defaultName(String session, String key) {
        return "herald.dsub." + session + "." + key;
    }

    /**
     * Refuses a name this backlog cannot use, before anything is created.
     *
     * @throws InvalidRequestException naming what is wrong with it
     */
    default void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException(null, "a backlog needs a name");
        }
    }

    /**
     * Starts keeping, under {@code name}, every message published to {@code channel} from now on; keeps what
     * an existing backlog of that name holds. Returns once that is in force.
     *
     * @param channel an exact channel
     * @throws InvalidRequestException for a name {@link #checkName} refuses, or one the backend refuses
     * @throws StoreException if the backend cannot be reached
     */
    void open(String name, ChannelName channel);

    /**
     * Kept messages after {@code after} (same epoch, higher offset), oldest first, at most {@code limit};
     * fewer when fewer are kept. Discards nothing.
     *
     * @throws StoreException if the backend cannot be reached
     */
    List<Message> read(String name, Position after, int limit);

    /**
     * The subscriber is done with every message up to {@code upTo} (and with any of another epoch): they may
     * be discarded. Asynchronous and idempotent; positions only ever move forward for one name.
     */
    void release(String name, Position upTo);

    /** This node stops reading {@code name} for now; what was not released stays kept. Idempotent. */
    void close(String name);

    /**
     * Stops keeping and discards everything of {@code name}; idempotent (an unknown name is fine).
     *
     * @throws StoreException if the backend cannot be reached
     */
    void delete(String name);
}
