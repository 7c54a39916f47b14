package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.testkit.TestEnvironment;
import io.herald.testkit.contract.HistoryStoreContract;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The history contract run against a WRONG store: it counts offsets per thread, as a store that reads the head
 * and writes head + 1 in two steps does under contention, so concurrent appends get duplicate offsets.
 */
class ThreadCountedOffsetsKit extends HistoryStoreContract {

    @Override
    protected HistoryStore createStore(Retention.Policy retention) {
        return new ThreadCountedOffsets(new MemoryHistoryStore(retention, Clock.systemUTC()));
    }

    @Override
    protected void loseHistory(ChannelName channel) throws Exception {
        replaceStore(createStore(retention()));
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }

    static final class ThreadCountedOffsets implements HistoryStore {
        private final HistoryStore inner;
        private final ThreadLocal<Map<ChannelName, Long>> counters = ThreadLocal.withInitial(HashMap::new);

        ThreadCountedOffsets(HistoryStore inner) {
            this.inner = inner;
        }

        @Override
        public Message append(Publication publication) {
            Message stored = inner.append(publication);
            long offset = counters.get().merge(publication.channel(), 1L, Long::sum);
            return new Message(stored.channel(), new Position(stored.position().epoch(), offset), stored.id(), stored.type(),
                    stored.payload(), stored.contentType(), stored.headers(), stored.timestamp());
        }

        @Override
        public Replay replay(ChannelName channel, Position after, int limit) {
            return inner.replay(channel, after, limit);
        }

        @Override
        public Position head(ChannelName channel) {
            return inner.head(channel);
        }
    }
}
