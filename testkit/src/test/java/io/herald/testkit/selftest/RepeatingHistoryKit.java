package io.herald.testkit.selftest;

import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Publication;
import io.herald.core.memory.MemoryHistoryStore;

/** The history contract run against a WRONG store: it stores every retry again, so a retried publish is a duplicate. */
class RepeatingHistoryKit extends BrokenHistoryKit {

    @Override
    HistoryStore breakIt(MemoryHistoryStore correct) {
        return new ForwardingHistoryStore(correct) {
            @Override
            public Message append(Publication publication) {
                // Hide the id from the correct store, so it cannot recognise the retry, and put it back.
                Message stored = super.append(publication.withId(null));
                return new Message(stored.channel(), stored.position(), publication.id() != null ? publication.id() : stored.id(),
                        stored.type(), stored.payload(), stored.contentType(), stored.headers(), stored.timestamp());
            }
        };
    }
}
