package io.herald.stomp;

import io.herald.http.JsonResponses;
import io.herald.http.ReleasedUpgrade;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * The STOMP WebSocket endpoint ({@code /stomp} by default), a Jetty 12 handler that upgrades and hands the
 * socket to a {@link StompConnection}. Of the subprotocols offered it accepts the highest STOMP one
 * ({@code v12.stomp}, {@code v11.stomp}, {@code v10.stomp}); the npm {@code ws} client aborts when it offered
 * some and none is echoed. A request that offers none is accepted without one, as RabbitMQ does; the
 * version is then negotiated by CONNECT alone. No extension is accepted: frames go out uncompressed, each
 * MESSAGE frame shared by its subscribers ({@link StompWebSocket}). A request that is not an upgrade gets a
 * JSON 400.
 *
 * <p>It can be mounted in any Jetty 12 server ({@code herald.handler("stomp", Handler.class)}).
 * Thread-safe once started.
 */
final class StompWebSocketHandler extends Handler.Abstract {

    private final StompTransport transport;
    private volatile ServerWebSocketContainer container;

    @jakarta.inject.Inject
    StompWebSocketHandler(StompTransport transport) {
        this.transport = transport;
    }

    @Override
    protected void doStart() throws Exception {
        ServerWebSocketContainer c = ServerWebSocketContainer.ensure(getServer());
        // Messages arrive in parts and frames may span messages: the frame decoder bounds memory, not these.
        c.setMaxTextMessageSize(Long.MAX_VALUE);
        c.setMaxBinaryMessageSize(Long.MAX_VALUE);
        // Heart-beats, not an idle timer, decide when a STOMP client is gone; this only bounds silent links
        // whose client asked for no heart-beats at all.
        c.setIdleTimeout(Duration.ofMinutes(10));
        if (!c.isStarted()) {
            c.start();
        }
        container = c;
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!transport.isRunning()) {
            JsonResponses.error(response, callback, 503, "STOMP is not running");
            return true;
        }
        WebSocketCreator creator = (upgrade, upgradeResponse, cb) -> {
            List<String> offered = upgrade.getSubProtocols();
            StompVersion version = StompVersion.ofSubprotocols(offered);
            if (version != null) {
                upgradeResponse.setAcceptedSubProtocol(version.subprotocol());
            }
            // No permessage-deflate (RabbitMQ Web-STOMP does not compress by default either): compressed frames
            // differ per connection, so a fan-out could no longer write one message's frame to every subscriber.
            upgradeResponse.setExtensions(List.of());
            return new StompWebSocket(transport, token(request), Request.getRemoteAddr(request));
        };
        if (!container.upgrade(creator, ReleasedUpgrade.sharedContext(request), response, callback)) {
            JsonResponses.error(response, callback, 400, "STOMP is served over WebSocket here: send an upgrade request");
        }
        return true;
    }

    private static String token(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String token = query.getValue("token");
        if (token == null) {
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = authorization.substring(7).trim();
            }
        }
        return token;
    }
}
