package io.herald.testkit.selftest;

import io.herald.api.Position;
import io.herald.api.SessionStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.testkit.ForwardingSessionStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SessionStoreContract;

/** The session contract run against a WRONG store: it ignores the window, so unacked positions pile up (G6). */
class UnboundedWindowKit extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        return new ForwardingSessionStore(new MemorySessionStore()) {
            @Override
            public boolean delivered(String id, String key, Position position, int window) {
                return super.delivered(id, key, position, Integer.MAX_VALUE);
            }
        };
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
