package io.herald.core.memory;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.ChannelIndex;

/**
 * Fan-out within this process only: {@link #publish} calls every matching listener on the publishing thread,
 * so listeners see a channel's messages in the order they were published. A single node needs nothing more;
 * several nodes need a shared broker (Redis). Thread-safe.
 */
public final class MemoryBroker implements Broker {

    private final ChannelIndex<Listener> listeners = new ChannelIndex<>();

    /** Calls the listeners and nothing else; the engine's router, the listener in practice, never waits. */
    @Override
    public boolean publishesWithoutWaiting() {
        return true;
    }

    @Override
    public void publish(Message message) {
        listeners.forEachMatch(message.channel(), listener -> listener.onMessage(message));
    }

    @Override
    public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
        // Wrap so that the same listener subscribed twice is removed once per handle.
        Listener registration = new Listener() {
            @Override
            public void onMessage(Message message) {
                listener.onMessage(message);
            }

            @Override
            public void onResync() {
                listener.onResync();
            }
        };
        listeners.add(channelOrPattern, registration);
        return () -> listeners.remove(channelOrPattern, registration);
    }
}
