package io.herald.testkit.selftest;

import io.herald.api.Member;
import io.herald.api.PresenceStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.PresenceStoreContract;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The presence contract run against a WRONG store: purgeExpired never forgets what it purged, so each call
 * announces the same members as gone again.
 */
class RepeatedPurgePresenceKit extends PresenceStoreContract {

    @Override
    protected PresenceStore createStore() {
        List<Member> expired = new ArrayList<>();
        return new ForwardingPresenceStore(new MemoryPresenceStore()) {
            @Override
            public List<Member> purgeExpired(Instant now) {
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
