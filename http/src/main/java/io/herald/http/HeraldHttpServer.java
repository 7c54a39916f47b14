package io.herald.http;

import io.herald.api.Lifecycle;
import io.herald.core.HealthCheck;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's one HTTP port: a Jetty 12 server that mounts every contributed {@link HttpEndpoint}.
 *
 * <p>Starts after the transports (it is their front door) and stops first, gracefully: it stops accepting,
 * lets requests in flight finish for {@code http.stop-timeout}, then closes the streams. Thread-safe.
 */
@Singleton
public final class HeraldHttpServer implements Lifecycle, HealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger(HeraldHttpServer.class);

    private final Settings settings;
    private final List<HttpEndpoint> endpoints;
    private volatile Server server;
    private volatile ServerConnector connector;

    @Inject
    public HeraldHttpServer(Settings settings, Set<HttpEndpoint> endpoints) {
        this.settings = settings;
        this.endpoints = endpoints.stream().sorted(Comparator.comparing(HttpEndpoint::path)).toList();
    }

    @Override
    public int phase() {
        return TRANSPORT + 50;
    }

    @Override
    public void start() {
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("herald-http");
        Server s = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // Which server and version answers is an attacker's first question; nothing needs the answer.
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector c = new ServerConnector(s, new HttpConnectionFactory(http));
        c.setHost(settings.get(HttpSettings.HOST));
        c.setPort(settings.get(HttpSettings.PORT));
        c.setIdleTimeout(settings.get(HttpSettings.IDLE_TIMEOUT).toMillis());
        // A node that goes down sends all its clients to the others at once; Jetty's default backlog of 50
        // drops their SYNs and costs each a one-second retransmit.
        c.setAcceptQueueSize(settings.get(HttpSettings.ACCEPT_QUEUE));
        s.addConnector(c);
        // Static mappings: a dynamic PathMappingsHandler (Jetty's default) declares itself blocking, since a
        // blocking handler could be added later, and that alone would make every request cross to a pool thread.
        PathMappingsHandler mappings = new PathMappingsHandler(false);
        for (HttpEndpoint endpoint : endpoints) {
            // Endpoints that may block run on the pool; the rest of the tree, and endpoints that never wait, run
            // on the selector thread (see PooledHandler).
            Handler handler = PooledHandler.needed(endpoint.handler()) ? new PooledHandler(endpoint.handler()) : endpoint.handler();
            mappings.addMapping(PathSpec.from(endpoint.path()), handler);
        }
        // A root context keeps Request.getPathInContext() working for every handler; the graceful handler
        // lets requests in flight finish on stop (streams are ended by their transports before that).
        ContextHandler root = new ContextHandler(mappings, "/");
        s.setHandler(new GracefulHandler(root));
        // Every error Jetty answers itself is JSON like the endpoints' own refusals, never an HTML page.
        s.setErrorHandler(new JsonErrorHandler());
        s.setStopTimeout(settings.get(HttpSettings.STOP_TIMEOUT).toMillis());
        s.setStopAtShutdown(false);
        try {
            s.start();
            if (s.getInvocationType() != Handler.InvocationType.NON_BLOCKING) {
                // Not a failure (requests are then all dispatched to the pool, as before), but a lost optimisation.
                LOG.warn("the HTTP handler tree is {}: every request will be handed to a pool thread", s.getInvocationType());
            }
        } catch (Exception e) {
            try {
                s.stop();
            } catch (Exception ignored) {
                // The start failure is what matters.
            }
            throw new IllegalStateException("cannot listen on " + c.getHost() + ":" + c.getPort() + ": " + e.getMessage(), e);
        }
        server = s;
        connector = c;
        LOG.info("listening on port {}: {}", c.getLocalPort(), endpoints.stream().map(HttpEndpoint::path).toList());
    }

    @Override
    public void stop() {
        Server s = server;
        if (s == null) {
            return;
        }
        try {
            s.stop();
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
        server = null;
    }

    /** The port listened on (useful with port 0); -1 before start. */
    public int port() {
        ServerConnector c = connector;
        return c == null ? -1 : c.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /**
     * How Jetty runs a request's handlers: {@code NON_BLOCKING} (on the selector thread that parsed it, the
     * endpoints that may block handing themselves to the pool) unless a handler cannot say; {@code null} before start.
     */
    public Handler.InvocationType invocationType() {
        Server s = server;
        return s == null ? null : s.getInvocationType();
    }

    /** The paths mounted, sorted. */
    public List<String> paths() {
        return endpoints.stream().map(HttpEndpoint::path).toList();
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String problem() {
        Server s = server;
        return s != null && s.isStarted() ? null : "HTTP server is not started";
    }
}
