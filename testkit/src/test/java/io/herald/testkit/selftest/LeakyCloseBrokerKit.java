package io.herald.testkit.selftest;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.memory.MemoryBroker;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.BrokerContract;

/** The broker contract run against a WRONG broker: closing a subscription does nothing. */
class LeakyCloseBrokerKit extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return new Broker() {
            private final MemoryBroker inner = new MemoryBroker();

            @Override
            public void publish(Message message) {
                inner.publish(message);
            }

            @Override
            public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
                inner.subscribe(channelOrPattern, listener);
                return () -> { };
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }
}
