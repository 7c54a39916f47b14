package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.ApiKeyGuard;
import io.herald.http.ClientGone;
import io.herald.http.Cors;
import io.herald.http.JsonResponses;
import io.herald.http.ReleasedUpgrade;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bayeux over HTTP as a Jetty 12 core handler, for the mount path and every path under it (CometD clients
 * append {@code /handshake}, {@code /connect}, ...).
 *
 * <ul>
 *   <li>{@code POST} long polling: the messages as a JSON body, or as the form field {@code message=}
 *       (url-encoded forms, and Faye's cross-origin transport, which posts {@code message=...} as text);
 *       answered {@code 200 application/json} with an array.</li>
 *   <li>{@code GET ?message=<json>&jsonp=<callback>}: callback polling (JSONP), answered
 *       {@code text/javascript} {@code /**}{@code /callback([...]);}.</li>
 *   <li>{@code GET .../herald-faye.js}: Herald's extension for the stock Faye client (resource
 *       {@code herald-faye.js}: durable client id, acknowledgement by position).</li>
 *   <li>{@code GET} with {@code Accept: application/json} and no message: the counters (API key when set).</li>
 *   <li>{@code GET} with {@code Upgrade: websocket}: the {@code websocket} connection type, see
 *       {@link BayeuxWebSocket}.</li>
 *   <li>{@code OPTIONS}: the CORS preflight of cross-origin long polling.</li>
 * </ul>
 * A body that is not Bayeux (malformed JSON, no channel, too many messages, over the size limit) gets
 * {@code 400} with a JSON error, and nothing happens. Thread-safe.
 */
public final class BayeuxHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(BayeuxHandler.class);
    /** An exchange's watch state once its answer is on its way. */
    private static final Object SENT = new Object();
    private static final Pattern CALLBACK = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]{0,127}");
    /** Herald's extension for the stock Faye client, served under the mount path. */
    static final String FAYE_EXTENSION = "herald-faye.js";
    private static final String ALLOWED_HEADERS = "Accept, Authorization, Content-Type, Pragma, X-Requested-With";

    private final BayeuxServer server;
    private final BayeuxProtocol protocol;
    private final BayeuxCodec codec;
    private final Cors cors;
    private final ApiKeyGuard guard;
    private volatile ServerWebSocketContainer container;
    private final byte[] fayeExtension;

    @Inject
    BayeuxHandler(BayeuxServer server, BayeuxProtocol protocol, ApiKeyGuard guard, io.herald.core.config.Settings settings) {
        this.server = server;
        this.protocol = protocol;
        this.guard = guard;
        this.codec = new BayeuxCodec(server.settings.maxBatch());
        this.cors = Cors.from(settings);
        try (var in = BayeuxHandler.class.getResourceAsStream(FAYE_EXTENSION)) {
            this.fayeExtension = in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the jar lacks " + FAYE_EXTENSION, e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (cors.handlePreflight(request, response, callback, "POST, GET, OPTIONS", ALLOWED_HEADERS)) {
            return true;
        }
        cors.apply(request, response);
        if (!server.isRunning()) {
            JsonResponses.error(response, callback, 503, "the Bayeux transport is not running");
            return true;
        }
        if (server.settings.websocket() && HttpMethod.GET.is(request.getMethod())
                && "websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeader.UPGRADE))) {
            upgrade(request, response, callback);
        } else if (HttpMethod.POST.is(request.getMethod())) {
            post(request, response, callback);
        } else if (HttpMethod.GET.is(request.getMethod())) {
            get(request, response, callback);
        } else {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, GET, OPTIONS");
            JsonResponses.error(response, callback, 405, request.getMethod() + " is not allowed here; Bayeux uses POST (or GET for JSONP)");
        }
        return true;
    }

    /** Upgrades to a WebSocket on the same path; no subprotocol is asked for by Faye or CometD, none is answered. */
    private void upgrade(Request request, Response response, Callback callback) {
        String token = bearer(request);
        String remote = Request.getRemoteAddr(request);
        boolean upgraded = container(request).upgrade((rq, rs, cb) -> new BayeuxWebSocket(protocol, codec, server.stats, token, remote),
                ReleasedUpgrade.sharedContext(request), response, callback);
        if (!upgraded) {
            refuse(request, response, callback, new BayeuxRefusal(400, "not a valid WebSocket upgrade"));
        }
    }

    private ServerWebSocketContainer container(Request request) {
        ServerWebSocketContainer c = container;
        if (c == null) {
            synchronized (this) {
                c = container;
                if (c == null) {
                    c = ServerWebSocketContainer.ensure(request.getConnectionMetaData().getConnector().getServer());
                    c.setMaxTextMessageSize(server.settings.maxBody());
                    c.setIdleTimeout(server.settings.timeout().plus(server.settings.maxInterval()).plusSeconds(10));
                    container = c;
                }
            }
        }
        return c;
    }

    private void post(Request request, Response response, Callback callback) {
        long length = request.getLength();
        long max = server.settings.maxBody();
        if (length > max) {
            // The body stays unread: the connection cannot carry another request.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            refuse(request, response, callback, new BayeuxRefusal(400, "the body of " + length + " bytes is over the limit of " + max));
            return;
        }
        Content.Source.asByteArrayAsync(request, (int) max + 1).whenComplete((body, failure) -> {
            if (failure != null) {
                refuse(request, response, callback, new BayeuxRefusal(400, "unreadable body: " + failure.getMessage()));
                return;
            }
            try {
                if (body.length > max) {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    throw new BayeuxRefusal(400, "the body is over the limit of " + max + " bytes");
                }
                List<BayeuxMessage> messages = decodePost(request, body);
                process(request, response, callback, messages, null);
            } catch (BayeuxRefusal refusal) {
                refuse(request, response, callback, refusal);
            } catch (RuntimeException e) {
                LOG.warn("Bayeux request failed: {}", e.toString(), e);
                JsonResponses.error(response, callback, 500, "internal error");
            }
        });
    }

    private List<BayeuxMessage> decodePost(Request request, byte[] body) throws BayeuxRefusal {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean json = type != null && type.toLowerCase(java.util.Locale.ROOT).contains("json");
        if (!json && startsWith(body, "message=")) {
            Fields form = new Fields();
            UrlEncoded.decodeUtf8To(new String(body, StandardCharsets.ISO_8859_1), form);
            String message = form.getValue("message");
            if (message == null) {
                throw new BayeuxRefusal(400, "the form has no message field");
            }
            return codec.decode(message);
        }
        return codec.decode(body);
    }

    private static boolean startsWith(byte[] body, String prefix) {
        if (body.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (body[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void get(Request request, Response response, Callback callback) {
        if (request.getHttpURI().getPath().endsWith("/" + FAYE_EXTENSION)) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/javascript;charset=UTF-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=3600");
            response.write(true, ByteBuffer.wrap(fayeExtension), callback);
            return;
        }
        Fields query = Request.extractQueryParameters(request);
        String message = query.getValue("message");
        if (message == null) {
            String accept = request.getHeaders().get(HttpHeader.ACCEPT);
            if (accept != null && accept.contains("application/json")) {
                if (!guard.refused(request, response, callback)) {
                    JsonResponses.send(response, callback, 200, server.stats());
                }
                return;
            }
            refuse(request, response, callback, new BayeuxRefusal(400, "a GET carries its messages in ?message= (callback polling)"));
            return;
        }
        String jsonp = query.getValue("jsonp");
        String callbackName = jsonp == null ? "jsonpcallback" : jsonp;
        try {
            if (!CALLBACK.matcher(callbackName).matches()) {
                throw new BayeuxRefusal(400, "jsonp must be a JavaScript identifier");
            }
            if (message.length() > server.settings.maxBody()) {
                throw new BayeuxRefusal(400, "the message is over the limit of " + server.settings.maxBody() + " bytes");
            }
            process(request, response, callback, codec.decode(message), callbackName);
        } catch (BayeuxRefusal refusal) {
            refuse(request, response, callback, refusal);
        }
    }

    private void process(Request request, Response response, Callback callback, List<BayeuxMessage> messages, String jsonp) {
        HttpLink link = new HttpLink(response, callback, jsonp);
        var endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        endPoint.setIdleTimeout(Math.max(endPoint.getIdleTimeout(), server.settings.timeout().toMillis() + 10_000));
        request.addFailureListener(link::gone);
        String token = bearer(request);
        String remote = Request.getRemoteAddr(request);
        if (LOG.isTraceEnabled()) {
            LOG.trace("-> {} {}", remote, messages);
        }
        protocol.process(messages, link, token, remote);
        // Held: notice at once when the client goes away, so nothing is drained into a dead exchange. The answer
        // stops the watch before it is written, so the connection carries the client's next request.
        link.watching = true;
        if (link.watch.get() != SENT) {
            ClientGone.Watch watch = ClientGone.watch(request, link::gone);
            if (watch != null && !link.watch.compareAndSet(null, watch)) {
                watch.stop(); // answered meanwhile: its answer closes the connection (see send)
            }
        }
    }

    private static String bearer(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private void refuse(Request request, Response response, Callback callback, BayeuxRefusal refusal) {
        server.stats.refused.increment();
        LOG.debug("refused a Bayeux request from {}: {}", Request.getRemoteAddr(request), refusal.getMessage());
        JsonResponses.error(response, callback, refusal.status(), refusal.getMessage());
    }

    /** One HTTP exchange: answered once. */
    private final class HttpLink implements BayeuxLink {

        private final Response response;
        private final Callback callback;
        private final String jsonp;
        final AtomicBoolean sent = new AtomicBoolean();
        /** The exchange's {@link ClientGone.Watch} while held, then {@link #SENT} once the answer is on its way. */
        final AtomicReference<Object> watch = new AtomicReference<>();
        private volatile boolean gone;
        private volatile BayeuxClient holder;
        volatile boolean watching;

        HttpLink(Response response, Callback callback, String jsonp) {
            this.response = response;
            this.callback = callback;
            this.jsonp = jsonp;
        }

        @Override
        public void send(List<ObjectNode> replies, List<byte[]> deliveries) {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            byte[] body = BayeuxCodec.encode(replies, deliveries);
            if (LOG.isTraceEnabled()) {
                LOG.trace("<- {}", new String(body, StandardCharsets.UTF_8));
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Object held = watch.getAndSet(SENT);
            if (held instanceof ClientGone.Watch w) {
                w.stopBefore(response); // one write follows, before which nothing is sent
            } else if (watching) {
                // The watch may be registering on the connection right now (see process).
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            if (jsonp == null) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=UTF-8");
                response.write(true, ByteBuffer.wrap(body), callback);
            } else {
                // U+2028 and U+2029 are valid in JSON but end a line in older JavaScript.
                String script = "/**/" + jsonp + "(" + new String(body, StandardCharsets.UTF_8)
                        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + ");";
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/javascript;charset=UTF-8");
                response.write(true, ByteBuffer.wrap(script.getBytes(StandardCharsets.UTF_8)), callback);
            }
        }

        @Override
        public boolean oneResponse() {
            return true;
        }

        @Override
        public boolean isOpen() {
            return !gone;
        }

        @Override
        public void holding(BayeuxClient client) {
            holder = client;
            if (gone) {
                client.abandon(this);
            }
        }

        @Override
        public String type() {
            return jsonp == null ? "long-polling" : "callback-polling";
        }

        void gone(Throwable cause) {
            if (gone) {
                return;
            }
            gone = true;
            BayeuxClient client = holder;
            if (client != null) {
                client.abandon(this);
            }
            if (sent.compareAndSet(false, true)) {
                callback.failed(cause);
            }
        }
    }
}
