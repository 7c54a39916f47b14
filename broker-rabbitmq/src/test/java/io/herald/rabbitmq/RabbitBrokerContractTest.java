package io.herald.rabbitmq;

import io.herald.api.Broker;
import io.herald.testkit.contract.BrokerContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("RabbitBroker keeps the Broker contract against the real RabbitMQ")
class RabbitBrokerContractTest extends BrokerContract {

    @Override
    protected Broker createBroker() {
        return RabbitTestSupport.broker();
    }

    @Override
    protected Broker createPeerBroker() {
        return RabbitTestSupport.broker();
    }

    @Override
    protected boolean dropConnection(Broker broker) {
        // Only this broker's connection: other tests (transport-stomp's Web-STOMP ones) may use RabbitMQ meanwhile.
        return Rabbitmqctl.closeConnections(((RabbitBroker) broker).connectionName()) == 1;
    }
}
