package io.herald.api;

import java.util.Objects;

/**
 * What a subscriber missed and can no longer get: the explicit "you lost something" of G2.
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
 *
 * @param channel the channel concerned
 * @param after the offset the subscriber had reached, or {@code null} when unknown
 * @param firstAvailable the offset delivery continues from: the oldest one history holds for a retention gap,
 *     head + 1 for a reset
 * @param missed how many messages are lost, or {@code null} when that cannot be known
 * @param reset whether the subscriber's position was meaningless (other epoch, unknown, or ahead)
 */
public record Gap(ChannelName channel, Long after, long firstAvailable, Long missed, boolean reset) {

    public Gap {
        Objects.requireNonNull(channel, "channel");
        if (!reset && (after == null || missed == null)) {
            throw new IllegalArgumentException("a retention gap on " + channel + " needs 'after' and 'missed'");
        }
    }

    /** A retention gap: messages {@code after + 1 .. firstAvailable - 1} are gone. */
    public static Gap retention(ChannelName channel, long after, long firstAvailable) {
        return new Gap(channel, after, firstAvailable, firstAvailable - 1 - after, false);
    }

    /** A reset: the subscriber's position {@code after} (possibly {@code null}) means nothing any more. */
    public static Gap reset(ChannelName channel, Long after, long firstAvailable) {
        return new Gap(channel, after, firstAvailable, null, true);
    }
}
