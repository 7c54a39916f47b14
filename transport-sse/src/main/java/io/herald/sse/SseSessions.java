package io.herald.sse;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionSubscription;
import io.herald.core.ClientSession;
import io.herald.core.SessionService;
import java.util.List;
import java.util.Optional;

/**
 * Streams bound to durable sessions ({@code ?session}): the session keeps the stream's channels and each
 * channel's base epoch, so the event ids carry only offsets and stay short however many channels there are
 * on however many epochs (G3, and ids under 1 KiB at the channel limit on every store).
 *
 * <p>A reconnect whose {@code Last-Event-ID} names a live session of the same principal with the same
 * channels resumes it; anything else (unknown or expired session, another principal, other channels, a
 * malformed id) opens a new session and the stream starts with a {@code missedevents} reset, never an
 * error, since an EventSource gives up for good on a non-200.
 */
final class SseSessions {

    /** The session a stream runs in, and where each of its channels resumes. */
    record Opening(ClientSession session, List<Position> resume, boolean unknownId) {
    }

    private SseSessions() {
    }

    static Opening open(SessionService sessions, SseRequest request) {
        String lastEventId = request.lastEventId();
        String sessionId = SseEventId.session(lastEventId);
        if (sessionId != null) {
            Optional<ClientSession> found = sessions.resume(sessionId, request.principal());
            if (found.isPresent()) {
                String[] bases = bases(found.get(), request.channels());
                List<Position> resume = bases == null ? null : SseEventId.decode(lastEventId, bases);
                if (resume != null) {
                    return new Opening(found.get(), resume, false);
                }
                // Same session, other channels or a mangled id: its old subscriptions would only mislead.
                sessions.end(sessionId);
            }
        }
        return new Opening(sessions.openDurable(request.principal()), null, lastEventId != null);
    }

    /** Each channel's base epoch as the session stored it, or null if the session lacks one of them. */
    private static String[] bases(ClientSession session, List<ChannelName> channels) {
        String[] bases = new String[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            SessionSubscription stored = session.record().subscriptions().get(channels.get(i).value());
            if (stored == null || stored.cursor() == null) {
                return null;
            }
            bases[i] = stored.cursor().epoch();
        }
        return bases;
    }

    /** The base epoch of {@code channel} in a durable session: as stored, or where it started if new. */
    static String baseEpoch(ClientSession session, ChannelName channel, Position start) {
        SessionSubscription stored = session.record().subscriptions().get(channel.value());
        if (stored != null && stored.cursor() != null) {
            return stored.cursor().epoch();
        }
        return start.epoch();
    }
}
