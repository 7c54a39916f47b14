package io.herald.stomp;

import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * A STOMP destination on Herald's one channel space, RabbitMQ style.
 *
 * <ul>
 *   <li>{@code /topic/chat.room1} is {@code /chat/room1}: the routing key's dot-separated words are the
 *       segments. As on a RabbitMQ topic exchange, a last {@code *} matches exactly one word and a last
 *       {@code #} zero or more: {@code chat.*} is {@code /chat/*}, and {@code chat.#} is {@code /chat/**}
 *       (one or more words) together with {@link #zeroWords() /chat} itself. Herald's channel patterns end
 *       with their wildcard after at least one fixed segment, so what RabbitMQ also allows but Herald cannot
 *       express is refused with an ERROR naming the destination: a wildcard before the last word
 *       ({@code a.*.c}, {@code a.#.c}, {@code #.c}) and a lone wildcard ({@code #}, {@code *}: every key).</li>
 *   <li>{@code /exchange/chat/room1.x} is {@code /chat/room1/x}: the exchange names the first segment and
 *       its routing key the rest; {@code /exchange/amq.topic/<key>} is {@code /topic/<key>}.</li>
 *   <li>{@code /queue/jobs} is the channel {@code /queue/jobs}, consumed as a shared queue.</li>
 * </ul>
 * A MESSAGE names the concrete channel in the form the subscription used. Immutable.
 *
 * @param kind which form
 * @param exchange for {@link Kind#EXCHANGE}, the exchange; else {@code null}
 * @param channel the canonical channel or pattern
 */
public record StompDestination(Kind kind, String exchange, ChannelName channel) {

    public enum Kind { TOPIC, EXCHANGE, QUEUE }

    /**
     * Parses a destination header.
     *
     * @throws StompProtocolException for a form Herald does not serve or a name it cannot map, with why
     */
    public static StompDestination parse(String destination) {
        if (destination == null || destination.isEmpty()) {
            throw new StompProtocolException("missing destination header");
        }
        try {
            if (destination.startsWith("/topic/")) {
                return new StompDestination(Kind.TOPIC, null, ChannelName.of(words(destination, destination.substring(7), false)));
            }
            if (destination.startsWith("/exchange/")) {
                String rest = destination.substring(10);
                int slash = rest.indexOf('/');
                String exchange = slash < 0 ? rest : rest.substring(0, slash);
                String key = slash < 0 ? "" : rest.substring(slash + 1);
                if (exchange.equals("amq.topic")) {
                    return new StompDestination(Kind.TOPIC, null, ChannelName.of(words(destination, key, false)));
                }
                String channel = "/" + exchange + (key.isEmpty() ? "" : words(destination, key, true));
                return new StompDestination(Kind.EXCHANGE, exchange, ChannelName.of(channel));
            }
            if (destination.startsWith("/queue/")) {
                String name = destination.substring(7);
                if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals("*") || name.equals("#")) {
                    throw new StompProtocolException("bad destination '" + destination + "': a queue is /queue/<name>");
                }
                return new StompDestination(Kind.QUEUE, null, ChannelName.of("/queue/" + name));
            }
        } catch (InvalidChannelException e) {
            throw new StompProtocolException("bad destination '" + destination + "': " + e.getMessage());
        }
        throw new StompProtocolException("unknown destination '" + destination
                + "': use /topic/<key>, /exchange/<name>/<key> or /queue/<name>");
    }

    /**
     * A routing key's words as channel segments: {@code a.b.#} is {@code /a/b/**}; {@code afterExchange} when a
     * fixed segment (the exchange) comes before them.
     */
    private static String words(String destination, String key, boolean afterExchange) {
        if (key.isEmpty()) {
            throw new StompProtocolException("bad destination '" + destination + "': empty routing key");
        }
        List<String> segments = new ArrayList<>();
        String[] words = key.split("\\.", -1);
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            boolean last = i == words.length - 1;
            boolean wildcard = w.equals("#") || w.equals("*");
            if (wildcard && (!last || (i == 0 && !afterExchange))) {
                // Herald's channel patterns (shared by every protocol, store and broker) have their wildcard
                // last, after at least one fixed segment: refuse plainly rather than match something else.
                throw new StompProtocolException("unsupported destination '" + destination + "': '*' and '#' are "
                        + "supported only as the last word of a routing key, after at least one other word (like a.b.*"
                        + " or a.b.#); " + (last ? "a lone wildcard (every routing key)" : "a wildcard before the last word")
                        + " has no Herald channel pattern");
            }
            if (w.equals("**")) {
                // Not a wildcard to RabbitMQ but a word, which no channel segment can hold; as a segment it
                // would become Herald's ** wildcard.
                throw new StompProtocolException("bad destination '" + destination + "': '**' is not a word a routing key"
                        + " may hold here; '#' matches any number of words");
            }
            segments.add(w.equals("#") ? "**" : w);
        }
        return "/" + String.join("/", segments);
    }

    /**
     * The channel a last {@code #} matches with zero words ({@code /topic/a.#} matches {@code a} itself), which
     * a subscription takes besides {@link #channel}; {@code null} unless the destination ends with {@code #}.
     */
    public ChannelName zeroWords() {
        if (kind == Kind.QUEUE || channel.wildcard() != ChannelName.Wildcard.DEEP) {
            return null;
        }
        List<String> segments = channel.segments();
        return ChannelName.of("/" + String.join("/", segments.subList(0, segments.size() - 1)));
    }

    /** Whether this names a pattern rather than one channel. */
    public boolean isPattern() {
        return channel.isPattern();
    }

    /** The destination header of a MESSAGE from the concrete {@code channel}, in this destination's form. */
    public String render(ChannelName concrete) {
        List<String> segments = concrete.segments();
        return switch (kind) {
            case TOPIC -> "/topic/" + String.join(".", segments);
            case EXCHANGE -> "/exchange/" + segments.get(0)
                    + (segments.size() > 1 ? "/" + String.join(".", segments.subList(1, segments.size())) : "");
            case QUEUE -> concrete.value();
        };
    }
}
