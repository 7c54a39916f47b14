package io.herald.testkit.selftest;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;

/** A history store that forwards every call; broken stores override the call they get wrong. */
class ForwardingHistoryStore implements HistoryStore {

    private final HistoryStore inner;

    ForwardingHistoryStore(HistoryStore inner) {
        this.inner = inner;
    }

    @Override
    public Message append(Publication publication) {
        return inner.append(publication);
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
