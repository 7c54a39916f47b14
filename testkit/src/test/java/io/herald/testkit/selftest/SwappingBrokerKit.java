package io.herald.testkit.selftest;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.memory.MemoryBroker;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.BrokerContract;
import java.util.HashMap;
import java.util.Map;

/**
 * The broker contract run against a WRONG broker: it delivers each channel's messages in swapped pairs, as a
 * broker fanning out on a thread pool does now and then, but every time, so the self-test is not flaky.
 */
class SwappingBrokerKit extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return new Swapping();
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }

    static final class Swapping implements Broker {
        private final MemoryBroker inner = new MemoryBroker();
        private final Map<ChannelName, Message> held = new HashMap<>();

        @Override
        public void publish(Message message) {
            Message previous;
            synchronized (held) {
                previous = held.remove(message.channel());
                if (previous == null) {
                    held.put(message.channel(), message);
                    return;
                }
            }
            inner.publish(message);
            inner.publish(previous);
        }

        @Override
        public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
            return inner.subscribe(channelOrPattern, listener);
        }
    }
}
