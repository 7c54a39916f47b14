package io.herald.testkit.selftest;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.memory.MemoryBroker;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.BrokerContract;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker contract run against a WRONG broker: subscribe returns before the subscription is active (as a
 * Redis SUBSCRIBE that is sent but not awaited), so the first message published after it is missed.
 */
class LateSubscribeBrokerKit extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return new LateSubscribe();
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }

    static final class LateSubscribe implements Broker {
        private final MemoryBroker inner = new MemoryBroker();
        private final List<Runnable> pending = new ArrayList<>();

        @Override
        public void publish(Message message) {
            inner.publish(message);
            List<Runnable> activations;
            synchronized (pending) {
                activations = List.copyOf(pending);
                pending.clear();
            }
            activations.forEach(Runnable::run);
        }

        @Override
        public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
            Subscription[] active = new Subscription[1];
            boolean[] closed = new boolean[1];
            Runnable activation = () -> {
                synchronized (active) {
                    if (!closed[0]) {
                        active[0] = inner.subscribe(channelOrPattern, listener);
                    }
                }
            };
            synchronized (pending) {
                pending.add(activation);
            }
            return () -> {
                synchronized (active) {
                    closed[0] = true;
                    if (active[0] != null) {
                        active[0].close();
                    }
                }
            };
        }
    }
}
