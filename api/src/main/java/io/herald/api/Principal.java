package io.herald.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who is asking: the result of authentication.
 *
 * @param name the user's name; {@value #ANONYMOUS_NAME} when nobody authenticated
 * @param channels the channels and patterns a token granted, or {@code null} when not restricted by a token
 * @param attributes extra claims, for application authorizers
 */
public record Principal(String name, List<ChannelName> channels, Map<String, String> attributes) {

    /** Name of the principal of unauthenticated clients. */
    public static final String ANONYMOUS_NAME = "anonymous";

    /** Nobody in particular: the principal of every client when no authentication is configured. */
    public static final Principal ANONYMOUS = new Principal(ANONYMOUS_NAME, null, Map.of());

    /**
     * The application itself, publishing or subscribing from code inside the server: never restricted and
     * never refused by an {@link Authorizer} (the engine does not ask).
     */
    public static final Principal SERVER = new Principal("server", null, Map.of());

    public Principal {
        Objects.requireNonNull(name, "name");
        channels = channels == null ? null : List.copyOf(channels);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** Whether a token restricts this principal's channels. */
    public boolean isRestricted() {
        return channels != null;
    }

    /** Whether a token granted {@code channel}, a channel or a pattern (always, for an unrestricted principal). */
    public boolean grants(ChannelName channel) {
        if (channels == null) {
            return true;
        }
        for (ChannelName granted : channels) {
            if (granted.covers(channel)) {
                return true;
            }
        }
        return false;
    }
}
