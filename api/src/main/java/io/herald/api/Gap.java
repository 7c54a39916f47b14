package io.herald.api;

import java.util.Objects;

/**
 * What a subscriber missed and can no longer get: the explicit "you lost something" of G2, and where delivery
 * continues after it.
 *
 * <p>Two kinds:
 * <ul>
 *   <li><b>retention gap</b> ({@code reset == false}): the subscriber's position is from the current epoch but
 *       older than what history still holds. {@code missed} messages, from {@code after + 1} to
 *       {@code firstAvailable - 1}, are gone; delivery continues from {@code firstAvailable}.</li>
 *   <li><b>reset</b> ({@code reset == true}): the position is from an epoch that no longer exists, is unknown
 *       ({@code after == null}), or lies beyond the head. How much was missed cannot be told
 *       ({@code missed == null}); delivery continues live from the current head.</li>
 * </ul>
 * Either way {@link #resumeAfter()} is the position a client holds once it has taken the gap: a transport
 * moves its cursor there instead of guessing the epoch.
 *
 * @param channel the channel concerned, or for a warning about channels that cannot be listed, the pattern
 * @param epoch the epoch delivery continues in; {@code null} only for a pattern's warning
 * @param after the offset the subscriber had reached, or {@code null} when unknown
 * @param firstAvailable the offset delivery continues from: the oldest one history holds for a retention gap,
 *     head + 1 for a reset
 * @param missed how many messages are lost, or {@code null} when that cannot be known
 * @param reset whether the subscriber's position was meaningless (other epoch, unknown, or ahead)
 */
public record Gap(ChannelName channel, String epoch, Long after, long firstAvailable, Long missed, boolean reset) {

    public Gap {
        Objects.requireNonNull(channel, "channel");
        if (epoch == null && !channel.isPattern()) {
            throw new IllegalArgumentException("a gap on " + channel + " needs the epoch delivery continues in");
        }
        if (!reset && (after == null || missed == null)) {
            throw new IllegalArgumentException("a retention gap on " + channel + " needs 'after' and 'missed'");
        }
        if (firstAvailable < 0) {
            throw new IllegalArgumentException("a gap on " + channel + " cannot continue from offset " + firstAvailable);
        }
    }

    /** A retention gap: messages {@code after + 1 .. firstAvailable - 1} of {@code epoch} are gone. */
    public static Gap retention(ChannelName channel, String epoch, long after, long firstAvailable) {
        return new Gap(channel, epoch, after, firstAvailable, firstAvailable - 1 - after, false);
    }

    /**
     * A reset: the subscriber's position {@code after} (possibly {@code null}) means nothing any more; delivery
     * continues in {@code epoch} from {@code firstAvailable}.
     */
    public static Gap reset(ChannelName channel, String epoch, Long after, long firstAvailable) {
        return new Gap(channel, epoch, after, firstAvailable, null, true);
    }

    /**
     * A reset for every channel a pattern matches, when which channels lost messages cannot be listed (after a
     * broker outage): the subscriber is warned, and no position can be given.
     */
    public static Gap patternReset(ChannelName pattern) {
        if (!pattern.isPattern()) {
            throw new IllegalArgumentException(pattern + " is not a pattern");
        }
        return new Gap(pattern, null, null, 0, null, true);
    }

    /**
     * The position a subscriber holds once it has taken this gap, from which delivery continues; {@code null}
     * for a pattern's warning.
     */
    public Position resumeAfter() {
        return epoch == null ? null : new Position(epoch, Math.max(0, firstAvailable - 1));
    }
}
