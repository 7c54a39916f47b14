package io.herald.presence;

import io.herald.api.ChannelName;
import java.time.Instant;
import java.util.Objects;

/**
 * A user came online on a channel ({@link Kind#JOIN}: their first connection joined) or went offline
 * ({@link Kind#LEAVE}: their last connection went, and the grace period passed). Published as JSON
 * {@code {"event": "join"|"leave", "user", "connections", "at"}} on the channel's companion channel.
 *
 * @param kind join or leave
 * @param channel the channel (not its companion)
 * @param user the user
 * @param connections the user's connections on the channel: at least 1 for a join, 0 for a leave
 * @param at when the first connection joined, or when the last one went
 */
public record PresenceEvent(Kind kind, ChannelName channel, String user, int connections, Instant at) {

    /** What happened. */
    public enum Kind {
        JOIN, LEAVE;

        /** The name in the JSON and the event type: {@code join}, {@code leave}. */
        public String wireName() {
            return this == JOIN ? "join" : "leave";
        }
    }

    public PresenceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(at, "at");
    }

    /** The JSON published on the companion channel. */
    String json() {
        StringBuilder json = new StringBuilder(96);
        json.append("{\"event\":\"").append(kind.wireName()).append("\",\"user\":");
        quote(json, user);
        json.append(",\"connections\":").append(connections).append(",\"at\":\"").append(at).append("\"}");
        return json.toString();
    }

    private static void quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
