package io.herald.rabbitmq;

import io.herald.api.ChannelName;
import java.util.List;

/**
 * Herald channel names as AMQP topic routing and binding keys, both ways and without loss.
 *
 * <p>A channel {@code /a/b.c} is the routing key {@code a.b%c}: the leading slash goes, each {@code /}
 * becomes the word separator {@code .}, and a {@code .} inside a segment becomes {@code %}, which no channel
 * segment may contain. So two channels never share a key, a key is never longer than its channel (the AMQP
 * limit is 255 bytes, a channel's 255 ASCII characters), and no segment can read as a topic wildcard
 * ({@code *} and {@code #} are not segment characters either).
 *
 * <p>A pattern is a binding key with the same fixed words: {@code /a/*} (exactly one more segment) is
 * {@code a.*}, and {@code /a/**} (one or more) is {@code a.*.#}, since AMQP's {@code #} alone also matches
 * zero words. Stateless and thread-safe.
 */
final class RoutingKeys {

    private RoutingKeys() {
    }

    /** The routing key of an exact channel, or the binding key of a pattern. */
    static String of(ChannelName channelOrPattern) {
        List<String> segments = channelOrPattern.segments();
        StringBuilder key = new StringBuilder(channelOrPattern.value().length() + 2);
        int fixed = channelOrPattern.isPattern() ? segments.size() - 1 : segments.size();
        for (int i = 0; i < fixed; i++) {
            if (i > 0) {
                key.append('.');
            }
            key.append(segments.get(i).replace('.', '%'));
        }
        switch (channelOrPattern.wildcard()) {
            case ONE -> key.append(".*");
            case DEEP -> key.append(".*.#");
            case NONE -> { }
        }
        return key.toString();
    }

    /**
     * The channel a routing key was made from.
     *
     * @throws io.herald.api.InvalidChannelException if {@code routingKey} is not the key of a channel
     */
    static ChannelName channelOf(String routingKey) {
        return ChannelName.of("/" + routingKey.replace('.', '/').replace('%', '.'));
    }
}
