package io.herald.testkit.selftest;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.memory.MemoryBroker;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.BrokerContract;
import java.util.concurrent.CompletableFuture;

/** The broker contract run against a WRONG broker: publishAsync sends the message but never confirms it. */
class UnconfirmedBrokerKit extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return new Broker() {
            private final MemoryBroker inner = new MemoryBroker();

            @Override
            public void publish(Message message) {
                inner.publish(message);
            }

            @Override
            public CompletableFuture<Void> publishAsync(Message message) {
                inner.publish(message);
                return new CompletableFuture<>();
            }

            @Override
            public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
                return inner.subscribe(channelOrPattern, listener);
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }
}
