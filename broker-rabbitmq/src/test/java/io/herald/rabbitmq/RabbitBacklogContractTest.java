package io.herald.rabbitmq;

import io.herald.api.Message;
import io.herald.api.SubscriptionBacklog;
import io.herald.testkit.contract.SubscriptionBacklogContract;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("RabbitBacklog keeps the SubscriptionBacklog contract with durable queues on the real RabbitMQ")
class RabbitBacklogContractTest extends SubscriptionBacklogContract {

    private RabbitBroker broker;

    @Override
    protected SubscriptionBacklog createBacklog() {
        RabbitSettings settings = RabbitSettings.from(RabbitTestSupport.settings(Map.of(RabbitSettings.DURABLE_QUEUES.key(), "true")));
        broker = new RabbitBroker(settings);
        broker.start();
        return new RabbitBacklog(broker, settings.exchange(), Duration.ofMinutes(5));
    }

    @Override
    protected void publish(Message message) {
        broker.publish(message); // returns once RabbitMQ confirmed it: routed to every bound durable queue
    }

    @Override
    protected String invalidName() {
        return "amq.herald-contract";
    }

    @Override
    protected void closeBacklog(SubscriptionBacklog backlog) throws Exception {
        super.closeBacklog(backlog);
        broker.stop();
    }
}
