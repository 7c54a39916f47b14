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

/**
 * The history contract run against a WRONG store: its epoch is a constant, so a history that was lost looks
 * like the same history starting over, and clients keep positions that mean nothing.
 */
class FixedEpochHistoryKit extends HistoryStoreContract {

    @Override
    protected HistoryStore createStore(Retention.Policy retention) {
        return new FixedEpoch(new MemoryHistoryStore(retention, Clock.systemUTC()));
    }

    @Override
    protected void loseHistory(ChannelName channel) throws Exception {
        replaceStore(createStore(retention()));
    }

    @Override
    protected TestEnvironment environment() {
        return SelfTestEnvironment.SHORT;
    }

    static final class FixedEpoch implements HistoryStore {
        private static final String EPOCH = "fixed";
        private final MemoryHistoryStore inner;

        FixedEpoch(MemoryHistoryStore inner) {
            this.inner = inner;
        }

        private static Position outward(Position p) {
            return new Position(EPOCH, p.offset());
        }

        private static Message outward(Message m) {
            return new Message(m.channel(), outward(m.position()), m.id(), m.type(), m.payload(), m.contentType(), m.headers(), m.timestamp());
        }

        @Override
        public Message append(Publication publication) {
            return outward(inner.append(publication));
        }

        @Override
        public Replay replay(ChannelName channel, Position after, int limit) {
            Position inward = after != null && after.epoch().equals(EPOCH) ? new Position(inner.epoch(), after.offset()) : after;
            Replay r = inner.replay(channel, inward, limit);
            return new Replay(channel, outward(r.head()), r.messages().stream().map(FixedEpoch::outward).toList(), r.gap(), r.complete());
        }

        @Override
        public Position head(ChannelName channel) {
            return outward(inner.head(channel));
        }
    }
}
