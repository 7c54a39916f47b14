package io.herald.presence;

import io.herald.api.ChannelName;
import io.herald.core.ServerChannels;
import java.util.List;

/**
 * Which channels have presence, and where their events go: the companion channel {@code /presence<channel>}
 * ({@code /presence/chat/room1} for {@code /chat/room1}). Companion channels are the server's alone
 * ({@link ServerChannels}): a client may read one its token grants, never publish to it. Immutable and
 * thread-safe.
 */
final class PresenceChannels implements ServerChannels {

    static final String ROOT = "presence";

    private final List<ChannelName> patterns;

    PresenceChannels(List<ChannelName> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    static boolean isCompanion(ChannelName channel) {
        return channel.segments().get(0).equals(ROOT);
    }

    /**
     * Whether {@code channel} has presence: an exact channel, outside {@code /presence/}, that a pattern covers
     * (any, when there are no patterns).
     */
    boolean tracks(ChannelName channel) {
        if (channel.isPattern() || isCompanion(channel) || channel.isMeta() || channel.isService()) {
            return false;
        }
        if (patterns.isEmpty()) {
            return true;
        }
        for (ChannelName pattern : patterns) {
            if (pattern.covers(channel)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where {@code channel}'s events go.
     *
     * @throws io.herald.api.InvalidChannelException when the companion name would be over the length limit
     */
    static ChannelName companion(ChannelName channel) {
        return ChannelName.of("/" + ROOT + channel.value());
    }

    @Override
    public boolean reserves(ChannelName channel) {
        return isCompanion(channel);
    }
}
