package io.herald.bench.load.bayeux;

import org.cometd.bayeux.server.BayeuxServer;
import org.cometd.server.AbstractServerTransport;
import org.cometd.server.BayeuxServerImpl;
import org.cometd.server.JacksonJSONContextServer;
import org.cometd.server.ext.AcknowledgedMessagesExtension;
import org.cometd.server.websocket.common.AbstractWebSocketTransport;
import org.cometd.server.websocket.jetty.JettyWebSocketTransport;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The peer of the Bayeux benchmark: a real, unmodified CometD 9 server ({@code BayeuxServerImpl} with its
 * Jetty WebSocket transport) at {@code ws://host:port/cometd}, wired as CometD's own load-test server
 * ({@code CometDLoadServer}, "jetty" transport) wires it: a {@code ContextHandler} with a
 * {@code WebSocketUpgradeHandler}, the Jackson JSON context, and the {@code AcknowledgedMessagesExtension}
 * installed (it acts only for clients that ask for acks in their handshake). CometD's HTTP handler
 * ({@code cometd-java-server-http-jetty}) is not served by Maven Central, so this server speaks WebSocket
 * only, which is what the benchmark uses. Run it in its own process: {@code LoadGenerator serve-cometd
 * --port P}. Thread-safe after {@link #start()}.
 */
public final class CometdServer implements AutoCloseable {

    public static final String PATH = "/cometd";

    private final Server server = new Server();
    private final ServerConnector connector;

    public CometdServer(String host, int port) {
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        server.setHandler(context);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, context);
        context.setHandler(upgrade);
        BayeuxServerImpl bayeux = new BayeuxServerImpl();
        bayeux.setOption(Context.class.getName(), context.getContext());
        bayeux.setOption(AbstractWebSocketTransport.COMETD_URL_MAPPING_OPTION, PATH + "/*");
        bayeux.setOption(AbstractServerTransport.JSON_CONTEXT_OPTION, JacksonJSONContextServer.class.getName());
        bayeux.addTransport(new JettyWebSocketTransport(bayeux));
        bayeux.addExtension(new AcknowledgedMessagesExtension());
        context.setAttribute(BayeuxServer.ATTRIBUTE, bayeux);
        // Started with the context, after the WebSocket container its transport registers its mapping on.
        context.addBean(bayeux, true);
    }

    public CometdServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** {@code serve-cometd [--host 127.0.0.1] [--port 8093]}: runs until killed. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8093;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " for serve-cometd; known: --host, --port");
            }
        }
        CometdServer server = new CometdServer(host, port).start();
        System.out.println("CometD listening on ws://" + host + ":" + server.port() + PATH + " (pid " + ProcessHandle.current().pid() + ")");
        server.join();
    }
}
