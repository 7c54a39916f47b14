package io.herald.core;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;

/**
 * Where the engine delivers a subscription's messages: usually one client connection, fed by every channel
 * the connection subscribed to.
 *
 * <p>The engine calls these methods from several threads (one per channel being dispatched, plus catch-up
 * threads), never concurrently for the same channel; implementations must be thread-safe and must not
 * block. For one channel, messages arrive in position order, each at most once, and a {@link Gap} arrives
 * before the first message after it.
 *
 * <p><b>Bounded memory (G6).</b> {@link #deliver} returns {@code false} when the subscriber cannot take more.
 * During catch-up from history the engine first asks {@link #room()} and waits with {@link #whenRoom}, so a
 * long replay is paced by the consumer; a live message that does not fit makes the engine give up on the
 * subscription and call {@link #cutOff}, and the client resumes later from its last position.
 */
public interface Subscriber {

    /** Takes one message; {@code false} if it does not fit (the message is not taken). */
    boolean deliver(Message message);

    /** Takes the notice that messages of {@code gap.channel()} were lost; always accepted. */
    default void gap(Gap gap) {
    }

    /** How many more messages {@link #deliver} would accept right now. */
    default int room() {
        return Integer.MAX_VALUE;
    }

    /** Runs {@code task} once {@link #room()} is positive again; at once if it already is. */
    default void whenRoom(Runnable task) {
        task.run();
    }

    /**
     * The engine dropped this subscription to {@code channel} because a live message did not fit.
     * {@code lastDelivered} is the last position the subscriber took on that channel, where the client
     * should resume. Called once per subscription, outside the engine's locks.
     */
    default void cutOff(ChannelName channel, Position lastDelivered) {
    }

    /**
     * The name of the {@link io.herald.api.SubscriptionBacklog} that keeps this subscriber's messages beyond
     * history, or {@code null} (the default) when there is none. When catching up, the engine reads what history
     * no longer holds from it before it would report a retention gap.
     */
    default String backlog() {
        return null;
    }
}
