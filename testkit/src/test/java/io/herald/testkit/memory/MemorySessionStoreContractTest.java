package io.herald.testkit.memory;

import io.herald.api.SessionStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.testkit.contract.SessionStoreContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("MemorySessionStore keeps the SessionStore contract")
class MemorySessionStoreContractTest extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        return new MemorySessionStore();
    }
}
