package io.herald.stomp;

import io.herald.api.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOMP over plain TCP on {@code stomp.tcp-port} ({@code --stomp-tcp-port}), off when the port is 0 (the
 * default). A Jetty connector of its own whose connections are {@link StompTcpLink}s: the same codec and
 * session code as the WebSocket endpoint. Starts after the transport, stops before it. Thread-safe.
 */
@Singleton
public final class StompTcpServer implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(StompTcpServer.class);

    private final StompTransport transport;
    private volatile Server server;
    private volatile ServerConnector connector;

    @Inject
    StompTcpServer(StompTransport transport) {
        this.transport = transport;
    }

    @Override
    public int phase() {
        return TRANSPORT + 70;
    }

    @Override
    public void start() {
        StompSettings settings = transport.settings;
        if (settings.tcpPort() == 0) {
            return;
        }
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("herald-stomp-tcp");
        Server s = new Server(threads);
        ServerConnector c = new ServerConnector(s, new AbstractConnectionFactory("stomp") {
            @Override
            public Connection newConnection(Connector on, EndPoint endPoint) {
                return configure(new StompTcpLink(endPoint, on.getExecutor(), transport), on, endPoint);
            }
        });
        c.setHost(settings.tcpHost());
        c.setPort(settings.tcpPort());
        // Heart-beats decide when a STOMP client is gone; this only bounds links that asked for none.
        c.setIdleTimeout(600_000);
        s.addConnector(c);
        try {
            s.start();
        } catch (Exception e) {
            try {
                s.stop();
            } catch (Exception ignored) {
                // the start failure is what matters
            }
            throw new IllegalStateException("cannot listen for STOMP on " + settings.tcpHost() + ":" + settings.tcpPort() + ": "
                    + e.getMessage(), e);
        }
        server = s;
        connector = c;
        LOG.info("STOMP over TCP on port {}", c.getLocalPort());
    }

    @Override
    public void stop() {
        Server s = server;
        if (s != null) {
            try {
                s.stop();
            } catch (Exception e) {
                LOG.warn("STOMP TCP server did not stop cleanly: {}", e.toString());
            }
            server = null;
        }
    }

    /** The TCP port listened on; -1 when off. */
    public int port() {
        ServerConnector c = connector;
        return c == null ? -1 : c.getLocalPort();
    }
}
