package io.herald.redis;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One Redis-level subscription of {@link RedisBroker} (a channel or a glob) and the listeners sharing it.
 * Registrations are an array replaced on each change under the broker's lock, read without a lock by the
 * dispatchers.
 */
final class Topic {
    final String key;
    final byte[] name;
    final boolean pattern;
    /** Completed when Redis confirmed the subscription on the current connection; guarded by the broker's lock. */
    CompletableFuture<Void> confirmed = new CompletableFuture<>();
    volatile Registration[] registrations = new Registration[0];

    Topic(String key, byte[] name, boolean pattern) {
        this.key = key;
        this.name = name;
        this.pattern = pattern;
    }

    /** What to run on the reply confirming this topic's subscription. */
    Runnable confirmer() {
        CompletableFuture<Void> f = confirmed;
        return () -> f.complete(null);
    }

    void add(Registration r) {
        Registration[] grown = Arrays.copyOf(registrations, registrations.length + 1);
        grown[registrations.length] = r;
        registrations = grown;
    }

    boolean remove(Registration r) {
        Registration[] current = registrations;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == r) {
                Registration[] rest = new Registration[current.length - 1];
                System.arraycopy(current, 0, rest, 0, i);
                System.arraycopy(current, i + 1, rest, i, current.length - i - 1);
                registrations = rest;
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return registrations.length == 0;
    }

    /** One {@link RedisBroker#subscribe} call: a listener of a channel or pattern on a topic. */
    static final class Registration implements Broker.Subscription {
        final RedisBroker broker;
        final Topic topic;
        final ChannelName channel;
        final Broker.Listener listener;
        volatile boolean closed;

        Registration(RedisBroker broker, Topic topic, ChannelName channel, Broker.Listener listener) {
            this.broker = broker;
            this.topic = topic;
            this.channel = channel;
            this.listener = listener;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                broker.unsubscribe(this);
            }
        }
    }
}
