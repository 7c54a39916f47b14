package io.herald.testkit.selftest;

import io.herald.api.SessionStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.SessionStoreContract;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The session contract run against a WRONG store: its clock is stuck, so sessions never expire. */
class ImmortalSessionKit extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        return new MemorySessionStore(Clock.fixed(Instant.now(), ZoneOffset.UTC));
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
