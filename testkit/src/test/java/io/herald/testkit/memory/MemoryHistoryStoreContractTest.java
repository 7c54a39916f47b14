package io.herald.testkit.memory;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Retention;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.testkit.contract.HistoryStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("MemoryHistoryStore keeps the HistoryStore contract")
class MemoryHistoryStoreContractTest extends HistoryStoreContract {

    @Override
    protected HistoryStore createStore(Retention.Policy retention) {
        return new MemoryHistoryStore(retention, Clock.systemUTC());
    }

    /** A memory store loses its history only by being replaced, as a restarted process would replace it. */
    @Override
    protected void loseHistory(ChannelName channel) throws Exception {
        replaceStore(createStore(retention()));
    }
}
