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

/** The history contract run against a WRONG store: it never reports a gap, the silent loss G2 forbids. */
class GaplessHistoryKit extends HistoryStoreContract {

    @Override
    protected HistoryStore createStore(Retention.Policy retention) {
        return new Gapless(new MemoryHistoryStore(retention, Clock.systemUTC()));
    }

    @Override
    protected void loseHistory(ChannelName channel) throws Exception {
        replaceStore(createStore(retention()));
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }

    static final class Gapless implements HistoryStore {
        private final HistoryStore inner;

        Gapless(HistoryStore inner) {
            this.inner = inner;
        }

        @Override
        public Message append(Publication publication) {
            return inner.append(publication);
        }

        @Override
        public Replay replay(ChannelName channel, Position after, int limit) {
            Replay replay = inner.replay(channel, after, limit);
            return new Replay(replay.channel(), replay.head(), replay.messages(), null, replay.complete());
        }

        @Override
        public Position head(ChannelName channel) {
            return inner.head(channel);
        }
    }
}
