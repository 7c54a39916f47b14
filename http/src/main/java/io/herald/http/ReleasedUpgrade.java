package io.herald.http;

import java.lang.reflect.Field;
import java.net.HttpCookie;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextRequest;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.UpgradeRequest;
import org.eclipse.jetty.websocket.common.JettyWebSocketFrameHandler;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an open Jetty WebSocket forget the HTTP request it was upgraded from. Jetty 12.1 keeps the upgrade request
 * and response for {@link Session#getUpgradeRequest()} for the socket's whole life, and their copies still reach
 * the request's {@code HttpConnection} (through the copied headers' listener), so every idle socket holds that
 * connection's parser, generator, field cache, headers and request attributes: about 2.5 KiB of heap each
 * (docs/benchmarks.md, "Idle connections: what Herald keeps per client"). A transport that read what it needs from
 * the upgrade request (token, remote address, subprotocol) releases it once the socket is open, and upgrades with
 * {@link #sharedContext} so that the context the socket runs in does not reach it either.
 *
 * <p>Afterwards {@code getUpgradeRequest()} answers a small stand-in: the protocol and HTTP versions, the method,
 * whether the connection is secure, the subprotocols offered, the request URI and the principal stay; headers,
 * cookies and the query parameters are empty. {@code getUpgradeResponse()} answers {@code null}. The session's own copy of the two is a
 * final field of Jetty's, set by reflection; where that is refused the socket keeps them, as before. Thread-safe.
 */
public final class ReleasedUpgrade implements UpgradeRequest {

    private static final Logger LOG = LoggerFactory.getLogger(ReleasedUpgrade.class);
    private static final Field SESSION_REQUEST = field("upgradeRequest");
    private static final Field SESSION_RESPONSE = field("upgradeResponse");

    private final String protocolVersion;
    private final boolean secure;
    private final String httpVersion;
    private final String method;
    private final List<String> subProtocols;
    private final URI requestUri;
    private final Principal principal;

    private ReleasedUpgrade(UpgradeRequest original, URI requestUri) {
        // Always "13" (RFC 6455's, the one version Jetty upgrades): one shared copy instead of a string per socket.
        String version = original.getProtocolVersion();
        this.protocolVersion = version == null ? null : version.intern();
        this.secure = original.isSecure();
        this.httpVersion = original.getHttpVersion();
        this.method = original.getMethod();
        this.subProtocols = List.copyOf(original.getSubProtocols());
        this.requestUri = requestUri;
        this.principal = original.getUserPrincipal();
    }

    /**
     * Replaces the upgrade request and response that {@code session} keeps by a {@link ReleasedUpgrade}; call it
     * from {@code onWebSocketOpen}, after anything the transport reads from them.
     *
     * @return whether they were released (false for a session that is not Jetty's, or where reflection is refused)
     */
    public static boolean release(Session session) {
        if (SESSION_REQUEST == null || !(session instanceof WebSocketSession jetty)
                || !(jetty.getCoreSession() instanceof WebSocketCoreSession core)
                || !(core.getHandler() instanceof JettyWebSocketFrameHandler handler)) {
            return false;
        }
        UpgradeRequest original = jetty.getUpgradeRequest();
        if (original == null || original instanceof ReleasedUpgrade) {
            return original != null;
        }
        ReleasedUpgrade released = new ReleasedUpgrade(original, core.getRequestURI());
        try {
            SESSION_REQUEST.set(jetty, released);
            SESSION_RESPONSE.set(jetty, null);
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.debug("cannot release the upgrade request of {}: {}", session, e.toString());
            return false;
        }
        handler.setUpgradeRequest(released);
        handler.setUpgradeResponse(null);
        return true;
    }

    /**
     * The request to hand to {@code ServerWebSocketContainer.upgrade}: {@code request}, answering as its context
     * that of the enclosing {@link ContextHandler} instead of the one a {@code PathMappingsHandler} makes per request.
     * That one references its request, and the WebSocket session keeps the context it was upgraded in (to run its
     * callbacks in) for its whole life: through it, the whole HTTP request and connection would stay reachable.
     */
    public static Request sharedContext(Request request) {
        Request r = request;
        while (r instanceof Request.Wrapper wrapper && !(r instanceof ContextRequest)) {
            r = wrapper.getWrapped();
        }
        if (!(r instanceof ContextRequest)) {
            return request;
        }
        Context shared = r.getContext();
        return new Request.Wrapper(request) {
            @Override
            public Context getContext() {
                return shared;
            }
        };
    }

    private static Field field(String name) {
        try {
            Field f = WebSocketSession.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("WebSocket sessions keep their upgrade request (Jetty's WebSocketSession.{} is not reachable: {})", name,
                    e.toString());
            return null;
        }
    }

    @Override
    public List<HttpCookie> getCookies() {
        return List.of();
    }

    @Override
    public List<ExtensionConfig> getExtensions() {
        return List.of();
    }

    @Override
    public String getHeader(String name) {
        return null;
    }

    @Override
    public int getHeaderInt(String name) {
        return -1;
    }

    @Override
    public Map<String, List<String>> getHeaders() {
        return Map.of();
    }

    @Override
    public List<String> getHeaders(String name) {
        return List.of();
    }

    @Override
    public String getHost() {
        return requestUri == null ? null : requestUri.getHost();
    }

    @Override
    public String getHttpVersion() {
        return httpVersion;
    }

    @Override
    public String getMethod() {
        return method;
    }

    @Override
    public String getOrigin() {
        return null;
    }

    @Override
    public Map<String, List<String>> getParameterMap() {
        return Map.of();
    }

    @Override
    public String getProtocolVersion() {
        return protocolVersion;
    }

    @Override
    public String getQueryString() {
        return requestUri == null ? null : requestUri.getRawQuery();
    }

    @Override
    public URI getRequestURI() {
        return requestUri;
    }

    @Override
    public List<String> getSubProtocols() {
        return subProtocols;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public boolean hasSubProtocol(String name) {
        return subProtocols.stream().anyMatch(p -> p.equalsIgnoreCase(name));
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public String toString() {
        return "upgrade request of " + requestUri + " (released)";
    }
}
