package io.herald.testkit.selftest;

import io.herald.api.PresenceStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.PresenceStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The presence contract run against a WRONG store: purgeOffline never forgets whom it took offline, so
 * every call tells the same users' leave again (what a node that does not claim offlines atomically does).
 */
class RepeatedOfflineKit extends PresenceStoreContract {

    @Override
    protected PresenceStore createStore() {
        List<PresenceStore.Offline> told = new ArrayList<>();
        return new ForwardingPresenceStore(new MemoryPresenceStore()) {
            @Override
            public List<Offline> purgeOffline(Instant now, Duration grace) {
                synchronized (told) {
                    told.addAll(super.purgeOffline(now, grace));
                    return List.copyOf(told);
                }
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
