package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.PresenceStoreContract;
import java.time.Duration;
import java.util.Map;

/**
 * The presence contract run against a WRONG store: a heartbeat is stored as a leave and a new join, so the
 * member loses its joinedAt (and online time is never longer than one heartbeat).
 */
class HeartbeatRejoinsKit extends PresenceStoreContract {

    @Override
    protected PresenceStore createStore() {
        return new ForwardingPresenceStore(new MemoryPresenceStore()) {
            @Override
            public Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl) {
                leave(channel, clientId);
                return super.join(channel, clientId, userId, info, ttl);
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
