package io.herald.testkit.selftest;

import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.testkit.ForwardingSessionStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SessionStoreContract;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The session contract run against a WRONG store: purgeExpired reads the expired sessions but never removes
 * them, so every call and every node hands them out again and listeners hear of each expiry many times.
 */
class RepeatedPurgeSessionKit extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        List<SessionRecord> expired = new ArrayList<>();
        return new ForwardingSessionStore(new MemorySessionStore()) {
            @Override
            public List<SessionRecord> purgeExpired(Instant now) {
                synchronized (expired) {
                    expired.addAll(super.purgeExpired(now));
                    return List.copyOf(expired);
                }
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
