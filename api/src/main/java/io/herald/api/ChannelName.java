package io.herald.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A channel name in canonical form: {@code /segment/segment...}.
 *
 * <p>Every protocol maps its own spelling onto this form at the edge (an SSE {@code ?channel=chat/room1},
 * a STOMP {@code /topic/chat.room1} and a Bayeux {@code /chat/room1} all become {@code /chat/room1}), and
 * nothing past the edge ever sees an unvalidated name. A segment is one or more of
 * {@code A-Z a-z 0-9 - _ . ! ~ ( ) $ @ + = ,}.
 *
 * <p>A name may also be a <em>pattern</em> (Bayeux rules): a last segment {@code *} matches exactly one
 * segment, a last segment {@code **} matches one or more trailing segments. Wildcards appear only as the
 * last segment, as in Bayeux; {@code /a/*}{@code /b} is invalid. Patterns can be subscribed to but never
 * published to.
 *
 * <p>{@code /meta/**} is reserved for protocol use and {@code /service/**} for request/response; neither is
 * ever broadcast.
 *
 * <p>Instances are immutable and thread-safe; equality is by canonical string.
 */
public final class ChannelName implements Comparable<ChannelName> {

    /** Longest accepted canonical name, in characters. */
    public static final int MAX_LENGTH = 255;

    private final String value;
    private final List<String> segments;
    private final Wildcard wildcard;

    /** The kind of wildcard a pattern ends with. */
    public enum Wildcard {
        /** An exact channel, no wildcard. */
        NONE,
        /** {@code *}: exactly one more segment. */
        ONE,
        /** {@code **}: one or more trailing segments. */
        DEEP
    }

    private ChannelName(String value, List<String> segments, Wildcard wildcard) {
        this.value = value;
        this.segments = segments;
        this.wildcard = wildcard;
    }

    /**
     * Parses a canonical name or pattern.
     *
     * @throws InvalidChannelException if {@code name} is not a valid canonical name or pattern; the message
     *     says which part is wrong
     */
    public static ChannelName of(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidChannelException(String.valueOf(name), "channel name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidChannelException(abbreviate(name), "channel name is longer than " + MAX_LENGTH + " characters");
        }
        if (name.charAt(0) != '/') {
            throw new InvalidChannelException(name, "channel name must start with '/'");
        }
        List<String> parts = new ArrayList<>();
        int start = 1;
        for (int i = 1; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '/') {
                if (i == start) {
                    throw new InvalidChannelException(name, "channel name has an empty segment");
                }
                parts.add(name.substring(start, i));
                start = i + 1;
            }
        }
        Wildcard wildcard = Wildcard.NONE;
        for (int s = 0; s < parts.size(); s++) {
            String segment = parts.get(s);
            boolean last = s == parts.size() - 1;
            if (segment.equals("*") || segment.equals("**")) {
                if (!last) {
                    throw new InvalidChannelException(name, "a wildcard may only be the last segment");
                }
                if (parts.size() == 1) {
                    throw new InvalidChannelException(name, "a wildcard needs at least one segment before it");
                }
                wildcard = segment.length() == 1 ? Wildcard.ONE : Wildcard.DEEP;
                continue;
            }
            for (int c = 0; c < segment.length(); c++) {
                if (!isSegmentChar(segment.charAt(c))) {
                    throw new InvalidChannelException(name, "character '" + printable(segment.charAt(c))
                            + "' is not allowed in a channel name");
                }
            }
        }
        return new ChannelName(name, Collections.unmodifiableList(parts), wildcard);
    }

    /**
     * Parses a name that may lack its leading slash, as SSE query parameters do ({@code chat/room1}).
     *
     * @throws InvalidChannelException as {@link #of(String)}
     */
    public static ChannelName lenient(String name) {
        if (name != null && !name.isEmpty() && name.charAt(0) != '/') {
            return of("/" + name);
        }
        return of(name);
    }

    /** Whether {@code c} may appear in a segment. */
    public static boolean isSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '(' || c == ')'
                || c == '$' || c == '@' || c == '+' || c == '=' || c == ',';
    }

    /** The canonical form, e.g. {@code /chat/room1}. */
    public String value() {
        return value;
    }

    /** The segments, without slashes; a pattern's last segment is {@code *} or {@code **}. */
    public List<String> segments() {
        return segments;
    }

    /** The wildcard this name ends with, {@link Wildcard#NONE} for an exact channel. */
    public Wildcard wildcard() {
        return wildcard;
    }

    /** Whether this is a pattern rather than one channel. */
    public boolean isPattern() {
        return wildcard != Wildcard.NONE;
    }

    /** Whether this lies under {@code /meta/}, reserved for protocol messages. */
    public boolean isMeta() {
        return segments.get(0).equals("meta");
    }

    /** Whether this lies under {@code /service/}, request/response and never broadcast. */
    public boolean isService() {
        return segments.get(0).equals("service");
    }

    /** Whether messages may be published to this name: an exact channel outside {@code /meta/}. */
    public boolean isPublishable() {
        return !isPattern() && !isMeta();
    }

    /**
     * Whether the exact channel {@code channel} falls under this name: equal to it when this is exact, or
     * matched by this pattern.
     */
    public boolean matches(ChannelName channel) {
        if (wildcard == Wildcard.NONE) {
            return equals(channel);
        }
        int prefix = segments.size() - 1;
        List<String> other = channel.segments;
        if (wildcard == Wildcard.ONE ? other.size() != prefix + 1 : other.size() <= prefix) {
            return false;
        }
        for (int i = 0; i < prefix; i++) {
            if (!segments.get(i).equals(other.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every channel matched by {@code other} (a channel or a pattern) is also matched by this name:
     * {@code /chat/**} covers {@code /chat/room1}, {@code /chat/*} and {@code /chat/a/**}.
     */
    public boolean covers(ChannelName other) {
        if (!other.isPattern()) {
            return matches(other);
        }
        if (wildcard == Wildcard.NONE) {
            return false;
        }
        if (wildcard == Wildcard.ONE) {
            return equals(other);
        }
        int prefix = segments.size() - 1;
        int otherPrefix = other.segments.size() - 1;
        if (otherPrefix < prefix) {
            return false;
        }
        for (int i = 0; i < prefix; i++) {
            if (!segments.get(i).equals(other.segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(ChannelName other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelName other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static String abbreviate(String name) {
        return name.substring(0, 40) + "...";
    }
}
