package io.herald.testkit.memory;

import io.herald.api.Broker;
import io.herald.core.memory.MemoryBroker;
import io.herald.testkit.contract.BrokerContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("MemoryBroker keeps the Broker contract")
class MemoryBrokerContractTest extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return new MemoryBroker();
    }
}
