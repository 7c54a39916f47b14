package io.herald.sse;

import io.herald.api.ChannelName;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The Redisse redirect flow behind nginx: the application decides which channels a user may read (with its
 * own sessions, its own database) and answers the browser's SSE request with an internal redirect; nginx
 * then serves the stream from Herald through an {@code internal} location, and the application's workers are
 * free at once. See {@code docs/nginx.md} for the nginx side.
 *
 * <pre>{@code
 * // in the application's handler of GET /events
 * response.setHeader(XAccelRedirect.HEADER, XAccelRedirect.location("/herald-internal/sse", channelsOf(user)));
 * }</pre>
 *
 * <p>nginx keeps the request headers across the internal redirect, so the browser's {@code Last-Event-ID}
 * reaches Herald untouched. Stateless and thread-safe.
 */
public final class XAccelRedirect {

    /** The response header nginx acts on. */
    public static final String HEADER = "X-Accel-Redirect";

    private XAccelRedirect() {
    }

    /**
     * The internal URI that streams {@code channels}: {@code internalPath} (the nginx internal location that
     * proxies to Herald's SSE endpoint) with one {@code channel} parameter per channel.
     *
     * @throws IllegalArgumentException when there are no channels, or a channel is a pattern
     */
    public static String location(String internalPath, Collection<ChannelName> channels) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("an SSE redirect needs at least one channel");
        }
        StringBuilder uri = new StringBuilder(internalPath);
        char separator = internalPath.indexOf('?') < 0 ? '?' : '&';
        for (ChannelName channel : channels) {
            if (channel.isPattern()) {
                throw new IllegalArgumentException("cannot redirect to a pattern: " + channel);
            }
            uri.append(separator).append("channel=").append(URLEncoder.encode(channel.value(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return uri.toString();
    }
}
