package io.herald.testkit.selftest;

import io.herald.api.SessionClaim;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.testkit.ForwardingSessionStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SessionStoreContract;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The session contract run against a WRONG store: a claim looks the name up, then creates and binds a session
 * in a second step, so claims racing on one name each make a session of their own.
 */
class RacyClaimSessionKit extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        return new ForwardingSessionStore(new MemorySessionStore()) {
            private final Map<String, String> names = new ConcurrentHashMap<>();

            @Override
            public SessionClaim claim(String name, String principal, Duration ttl) {
                SessionStore.checkName(name);
                Optional<SessionRecord> found = findNamed(name);
                if (found.isPresent() && touch(found.get().id(), ttl)) {
                    return new SessionClaim(find(found.get().id()).orElseThrow(), false);
                }
                LockSupport.parkNanos(100_000); // the window a slow store would have between its two steps
                SessionRecord created = create(principal, ttl);
                names.put(name, created.id());
                return new SessionClaim(created, true);
            }

            @Override
            public Optional<SessionRecord> findNamed(String name) {
                String id = name == null ? null : names.get(name);
                return id == null ? Optional.empty() : find(id);
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
