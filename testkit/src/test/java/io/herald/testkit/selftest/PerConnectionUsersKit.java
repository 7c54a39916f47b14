package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.PresenceStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.PresenceStoreContract;
import java.time.Duration;
import java.util.Map;

/**
 * The presence contract run against a WRONG store: it counts every client as a user of its own (the user
 * id is ignored), so each tab of one user tells a join, and each one's time is counted separately.
 */
class PerConnectionUsersKit extends PresenceStoreContract {

    @Override
    protected PresenceStore createStore() {
        return new ForwardingPresenceStore(new MemoryPresenceStore()) {
            @Override
            public Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
                return super.arrive(channel, clientId, userId + "#" + clientId, info, ttl);
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
