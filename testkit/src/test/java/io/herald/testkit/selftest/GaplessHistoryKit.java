package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.core.memory.MemoryHistoryStore;

/** The history contract run against a WRONG store: it never reports a gap, the silent loss G2 forbids. */
class GaplessHistoryKit extends BrokenHistoryKit {

    @Override
    HistoryStore breakIt(MemoryHistoryStore correct) {
        return new ForwardingHistoryStore(correct) {
            @Override
            public Replay replay(ChannelName channel, Position after, int limit) {
                Replay replay = super.replay(channel, after, limit);
                return new Replay(replay.channel(), replay.head(), replay.messages(), null, replay.complete());
            }
        };
    }
}
