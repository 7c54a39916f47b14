package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** The query parameters of one request, read with the checks every endpoint applies (400 on bad input). */
final class Query {

    private final Fields fields;

    private Query(Fields fields) {
        this.fields = fields;
    }

    static Query of(Request request) {
        try {
            return new Query(Request.extractQueryParameters(request, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // Jetty's message ("400: Bad query") says less than this.
            throw ClientError.badRequest("malformed query string: check its %-escapes and UTF-8");
        }
    }

    /** The parameter's one value, or {@code null} when absent; refuses a parameter given twice. */
    String optional(String name) {
        List<String> values = fields.getValuesOrEmpty(name);
        if (values.size() > 1) {
            throw ClientError.badRequest("parameter '" + name + "' is given " + values.size() + " times");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    String required(String name) {
        String value = optional(name);
        if (value == null || value.isEmpty()) {
            throw ClientError.badRequest("parameter '" + name + "' is missing");
        }
        return value;
    }

    /**
     * The {@code channel} parameter: one exact channel, with or without its leading slash, outside
     * {@code /meta/} and {@code /service/}.
     *
     * @throws InvalidChannelException for a malformed name, a pattern or a reserved channel
     */
    ChannelName channel() {
        ChannelName channel = ChannelName.lenient(required("channel"));
        if (channel.isPattern()) {
            throw new InvalidChannelException(channel.value(), "a wildcard pattern is not one channel");
        }
        if (channel.isMeta() || channel.isService()) {
            throw new InvalidChannelException(channel.value(), "channels under /" + channel.segments().get(0)
                    + "/ are reserved and hold no messages");
        }
        return channel;
    }

    /** A whole number within {@code [min, max]}, or {@code null} when absent. */
    Long number(String name, long min, long max) {
        String text = optional(name);
        if (text == null) {
            return null;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ClientError.badRequest("parameter '" + name + "' must be a whole number, not '" + text + "'");
        }
        if (value < min || value > max) {
            throw ClientError.badRequest("parameter '" + name + "' must be within " + min + ".." + max + ", not " + value);
        }
        return value;
    }
}
