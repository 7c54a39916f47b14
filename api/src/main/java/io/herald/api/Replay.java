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

    /**
     * The offset a store reads from to replay after {@code after}: the oldest retained ({@code first}) when
     * {@code after} is {@code null} or older than retention, the next one otherwise, and {@code head + 1}
     * (nothing) when {@code after} is from another epoch or beyond the head.
     *
     * @param first the oldest offset the store holds, {@code head + 1} when it holds none
     */
    public static long readFrom(Position head, long first, Position after) {
        if (after == null) {
            return first;
        }
        if (!after.sameEpoch(head) || after.offset() > head.offset()) {
            return head.offset() + 1;
        }
        return Math.max(after.offset() + 1, first);
    }

    /**
     * The replay a store answers once it has read {@code messages} from {@link #readFrom}: it decides the gap
     * and completeness as {@link HistoryStore#replay} specifies, so that every store answers alike.
     *
     * @param first the oldest offset the store holds, {@code head + 1} when it holds none
     * @param messages consecutive messages from {@code readFrom(head, first, after)}, possibly fewer than remain
     */
    public static Replay of(ChannelName channel, Position head, long first, Position after, List<Message> messages) {
        if (after != null && (!after.sameEpoch(head) || after.offset() > head.offset())) {
            return new Replay(channel, head, List.of(), Gap.reset(channel, head.epoch(), after.offset(), head.offset() + 1), true);
        }
        Gap gap = after != null && after.offset() + 1 < first ? Gap.retention(channel, head.epoch(), after.offset(), first) : null;
        long next = messages.isEmpty() ? readFrom(head, first, after) : messages.get(messages.size() - 1).offset() + 1;
        return new Replay(channel, head, messages, gap, next > head.offset());
    }

    /** The position of the last message returned, or {@code fallback} when none was. */
    public Position lastOr(Position fallback) {
        return messages.isEmpty() ? fallback : messages.get(messages.size() - 1).position();
    }
}
