package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.core.memory.MemoryHistoryStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The history contract run against a WRONG store: it counts offsets per thread, as a store that reads the head
 * and writes head + 1 in two steps does under contention, so concurrent appends get duplicate offsets.
 */
class ThreadCountedOffsetsKit extends BrokenHistoryKit {

    @Override
    HistoryStore breakIt(MemoryHistoryStore correct) {
        ThreadLocal<Map<ChannelName, Long>> counters = ThreadLocal.withInitial(HashMap::new);
        return new ForwardingHistoryStore(correct) {
            @Override
            public Message append(Publication publication) {
                Message stored = super.append(publication);
                long offset = counters.get().merge(publication.channel(), 1L, Long::sum);
                return new Message(stored.channel(), new Position(stored.position().epoch(), offset), stored.id(), stored.type(),
                        stored.payload(), stored.contentType(), stored.headers(), stored.timestamp());
            }
        };
    }
}
