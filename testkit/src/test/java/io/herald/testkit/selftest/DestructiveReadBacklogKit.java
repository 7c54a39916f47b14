package io.herald.testkit.selftest;

import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.SubscriptionBacklog;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SubscriptionBacklogContract;
import io.herald.testkit.memory.MemoryBacklog;
import java.util.List;

/**
 * The backlog contract run against a WRONG backlog: reading takes the messages away (an auto-acking queue
 * consumer), so a subscriber that drops before acking loses them.
 */
class DestructiveReadBacklogKit extends SubscriptionBacklogContract {

    private final MemoryBacklog inner = new MemoryBacklog() {
        @Override
        public List<Message> read(String name, Position after, int limit) {
            List<Message> got = super.read(name, after, limit);
            if (!got.isEmpty()) {
                release(name, got.get(got.size() - 1).position());
            }
            return got;
        }
    };

    @Override
    protected SubscriptionBacklog createBacklog() {
        return inner;
    }

    @Override
    protected void publish(Message message) {
        inner.accept(message);
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }
}
