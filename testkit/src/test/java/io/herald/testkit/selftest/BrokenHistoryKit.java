package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Retention;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.HistoryStoreContract;
import java.time.Clock;

/** The history contract run against a memory store that {@link #breakIt} makes wrong in one way. */
abstract class BrokenHistoryKit extends HistoryStoreContract {

    /** The wrong store, made from a correct one. */
    abstract HistoryStore breakIt(MemoryHistoryStore correct);

    @Override
    protected HistoryStore createStore(Retention.Policy retention) {
        return breakIt(new MemoryHistoryStore(retention, Clock.systemUTC()));
    }

    @Override
    protected void loseHistory(ChannelName channel) throws Exception {
        replaceStore(createStore(retention()));
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }
}
