package io.herald.testkit.memory;

import io.herald.api.Message;
import io.herald.api.SubscriptionBacklog;
import io.herald.testkit.contract.SubscriptionBacklogContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("MemoryBacklog keeps the SubscriptionBacklog contract")
class MemoryBacklogContractTest extends SubscriptionBacklogContract {

    private final MemoryBacklog backlog = new MemoryBacklog();

    @Override
    protected SubscriptionBacklog createBacklog() {
        return backlog;
    }

    @Override
    protected void publish(Message message) {
        backlog.accept(message);
    }
}
