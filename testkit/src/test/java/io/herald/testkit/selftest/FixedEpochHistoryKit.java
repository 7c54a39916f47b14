package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.core.memory.MemoryHistoryStore;

/**
 * The history contract run against a WRONG store: its epoch is a constant, so a history that was lost looks
 * like the same history starting over, and clients keep positions that mean nothing.
 */
class FixedEpochHistoryKit extends BrokenHistoryKit {

    private static final String EPOCH = "fixed";

    private static Position outward(Position p) {
        return new Position(EPOCH, p.offset());
    }

    private static Message outward(Message m) {
        return new Message(m.channel(), outward(m.position()), m.id(), m.type(), m.payload(), m.contentType(), m.headers(), m.timestamp());
    }

    private static Gap outward(Gap g) {
        return g == null ? null : new Gap(g.channel(), EPOCH, g.after(), g.firstAvailable(), g.missed(), g.reset());
    }

    @Override
    HistoryStore breakIt(MemoryHistoryStore correct) {
        return new ForwardingHistoryStore(correct) {
            @Override
            public Message append(Publication publication) {
                return outward(super.append(publication));
            }

            @Override
            public Replay replay(ChannelName channel, Position after, int limit) {
                Position inward = after != null && after.epoch().equals(EPOCH) ? new Position(correct.epoch(), after.offset()) : after;
                Replay r = super.replay(channel, inward, limit);
                return new Replay(channel, outward(r.head()), r.messages().stream().map(FixedEpochHistoryKit::outward).toList(),
                        outward(r.gap()), r.complete());
            }

            @Override
            public Position head(ChannelName channel) {
                return outward(super.head(channel));
            }
        };
    }
}
