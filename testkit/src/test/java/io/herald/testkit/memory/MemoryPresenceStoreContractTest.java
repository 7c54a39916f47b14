package io.herald.testkit.memory;

import io.herald.api.PresenceStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.testkit.contract.PresenceStoreContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("MemoryPresenceStore keeps the PresenceStore contract")
class MemoryPresenceStoreContractTest extends PresenceStoreContract {

    @Override
    protected PresenceStore createStore() {
        return new MemoryPresenceStore();
    }
}
