package io.herald.api;

import java.util.List;
import java.util.Objects;

/**
 * The answer of {@link HistoryStore#replay}: the messages after a position, and what could not be had.
 *
 * @param channel the channel replayed
 * @param head the channel's head when the replay was read; messages never go past it
 * @param messages messages in position order, consecutive offsets, at most the requested limit
 * @param gap what was missed before the first returned message, or {@code null} when nothing was
 * @param complete whether the messages reach {@code head}; when {@code false}, ask again after the last one
 */
public record Replay(ChannelName channel, Position head, List<Message> messages, Gap gap, boolean complete) {

    public Replay {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(head, "head");
        messages = List.copyOf(messages);
    }

    /** The position of the last message returned, or {@code fallback} when none was. */
    public Position lastOr(Position fallback) {
        return messages.isEmpty() ? fallback : messages.get(messages.size() - 1).position();
    }
}
