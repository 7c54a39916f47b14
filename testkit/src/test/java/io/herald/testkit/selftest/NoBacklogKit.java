package io.herald.testkit.selftest;

import io.herald.api.Message;
import io.herald.api.SubscriptionBacklog;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SubscriptionBacklogContract;

/** The backlog contract run against {@link SubscriptionBacklog#NONE}, which keeps nothing: history alone. */
class NoBacklogKit extends SubscriptionBacklogContract {

    @Override
    protected SubscriptionBacklog createBacklog() {
        return SubscriptionBacklog.NONE;
    }

    @Override
    protected void publish(Message message) {
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.BROKER;
    }
}
