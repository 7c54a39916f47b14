package io.herald.sse;

import io.herald.api.Authenticator;
import io.herald.api.ChannelName;
import io.herald.api.Credentials;
import io.herald.api.HeraldException;
import io.herald.api.Principal;
import io.herald.core.Engine;
import io.herald.http.HttpRefusals;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * What an SSE request asks for, validated: its principal, its channels in canonical sorted order (the order
 * {@link SseEventId} relies on), the id it resumes from and whether it long-polls.
 *
 * <p>Channels come from {@code channel} query parameters ({@code chat/room1} or {@code /chat/room1}) or,
 * when there are none, from the channels a signed token grants. The token comes from {@code ?token=} or
 * {@code Authorization: Bearer}. The resume id comes from the {@code Last-Event-ID} header or, failing
 * that, the {@code lastEventId} parameter: a reconnecting EventSource keeps its first URL, so the header
 * is the fresher one.
 *
 * @param principal who asks
 * @param channels exact channels, sorted and distinct; they share one event id
 * @param patterns wildcard patterns (from a token), live only and outside the event id
 * @param lastEventId the id to resume from, or {@code null}
 * @param polling whether this is a long-polling request
 * @param durable whether the stream is bound to a durable session ({@code ?session}), whose ids stay short
 */
record SseRequest(Principal principal, List<ChannelName> channels, List<ChannelName> patterns, String lastEventId,
                  boolean polling, boolean durable) {

    static SseRequest parse(Request request, Authenticator authenticator, Engine engine, int maxChannels)
            throws SseRefusal {
        Fields query = Request.extractQueryParameters(request);
        Principal principal = authenticate(request, query, authenticator);

        List<String> requested = query.getValues("channel");
        TreeSet<ChannelName> exact = new TreeSet<>();
        TreeSet<ChannelName> patterns = new TreeSet<>();
        if (requested == null || requested.isEmpty()) {
            if (principal.isRestricted()) {
                for (ChannelName granted : principal.channels()) {
                    (granted.isPattern() ? patterns : exact).add(granted);
                }
            }
        } else {
            if (requested.size() > maxChannels) {
                throw new SseRefusal(400, "too many channels: " + requested.size() + " > " + maxChannels);
            }
            for (String name : requested) {
                ChannelName channel;
                try {
                    channel = ChannelName.lenient(name);
                } catch (HeraldException e) {
                    throw new SseRefusal(HttpRefusals.status(e.reason()), e.getMessage());
                }
                if (channel.isPattern()) {
                    throw new SseRefusal(400, "invalid channel '" + name + "': wildcards are not allowed in ?channel=");
                }
                exact.add(channel);
            }
        }
        if (exact.isEmpty() && patterns.isEmpty()) {
            throw new SseRefusal(400, "no channel given: add ?channel=<name>");
        }
        if (exact.size() + patterns.size() > maxChannels) {
            throw new SseRefusal(400, "too many channels: " + (exact.size() + patterns.size()) + " > " + maxChannels);
        }
        for (ChannelName channel : exact) {
            authorize(principal, channel, engine);
        }
        for (ChannelName pattern : patterns) {
            authorize(principal, pattern, engine);
        }

        String lastEventId = request.getHeaders().get("Last-Event-ID");
        if (lastEventId == null || lastEventId.isEmpty()) {
            lastEventId = query.getValue("lastEventId");
        }
        if (lastEventId != null && lastEventId.isEmpty()) {
            lastEventId = null;
        }
        boolean polling = query.get("polling") != null;
        boolean durable = query.get("session") != null;
        return new SseRequest(principal, new ArrayList<>(exact), new ArrayList<>(patterns), lastEventId, polling, durable);
    }

    private static Principal authenticate(Request request, Fields query, Authenticator authenticator) throws SseRefusal {
        String token = query.getValue("token");
        if (token == null) {
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = authorization.substring(7).trim();
            }
        }
        String remote = Request.getRemoteAddr(request);
        try {
            return authenticator.authenticate(new Credentials(token, remote));
        } catch (HeraldException e) {
            throw new SseRefusal(HttpRefusals.status(e.reason()), e.getMessage());
        }
    }

    private static void authorize(Principal principal, ChannelName channel, Engine engine) throws SseRefusal {
        try {
            engine.checkSubscribe(principal, channel);
        } catch (HeraldException e) {
            throw new SseRefusal(HttpRefusals.status(e.reason()), e.getMessage());
        }
    }
}
