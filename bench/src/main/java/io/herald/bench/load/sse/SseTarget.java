package io.herald.bench.load.sse;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A server the SSE load runs against: where its streams are, where to publish and in what form.
 *
 * @param name short name for the printout ({@code herald}, {@code ceiling}, {@code nchan})
 * @param server host and port of both the streams and the publish endpoint
 * @param streamPath path and query of an SSE stream on the load channel
 * @param publishUri the publish endpoint ({@code POST})
 * @param envelope whether a publish body wraps the data as Herald's API wants
 *     ({@code {"channel":...,"data":...}}); otherwise the body is the data itself (Nchan, the ceiling)
 * @param channel the channel as the publish envelope names it
 */
public record SseTarget(String name, InetSocketAddress server, String streamPath, URI publishUri, boolean envelope,
                        String channel) {

    /** Herald: {@code GET /sse?channel=...}, {@code POST /api/publish} with the JSON envelope. */
    public static SseTarget herald(String host, int port, String channel) {
        return new SseTarget("herald", new InetSocketAddress(host, port), "/sse?channel=" + channel,
                URI.create("http://" + host + ":" + port + "/api/publish"), true, channel);
    }

    /** The raw Jetty ceiling ({@link SseCeilingServer}): one channel, {@code GET /sse}, {@code POST /publish}. */
    public static SseTarget ceiling(String host, int port) {
        return new SseTarget("ceiling", new InetSocketAddress(host, port), SseCeilingServer.STREAM_PATH,
                URI.create("http://" + host + ":" + port + SseCeilingServer.PUBLISH_PATH), false, "/");
    }

    /** Nchan as configured by {@code nchan/nginx.conf}: {@code GET /sub?channel=...}, {@code POST /pub?channel=...}. */
    public static SseTarget nchan(String host, int port, String channel) {
        String id = channel.replace('/', '_');
        return new SseTarget("nchan", new InetSocketAddress(host, port), "/sub?channel=" + id,
                URI.create("http://" + host + ":" + port + "/pub?channel=" + id), false, channel);
    }

    /**
     * The same server's target for {@code other} channel: streams and publishes there. The ceiling has one
     * channel only, so it stays itself.
     */
    public SseTarget onChannel(String other) {
        return switch (name) {
            case "herald" -> herald(server.getHostString(), server.getPort(), other);
            case "nchan" -> nchan(server.getHostString(), server.getPort(), other);
            default -> this;
        };
    }

    /** The publish body carrying {@code data}. */
    public String publishBody(String data) {
        return envelope ? "{\"channel\":\"" + channel + "\",\"data\":" + data + "}" : data;
    }
}
