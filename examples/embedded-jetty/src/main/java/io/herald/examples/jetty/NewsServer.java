package io.herald.examples.jetty;

import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.sse.SseSettings;
import io.herald.sse.SseTransportModule;
import java.net.URI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An application that already has a Jetty 12 server with routes of its own ({@link NewsRoutes}: a page and a
 * publish form) and adds Herald's Server-Sent Events at {@code /events}: browsers subscribe with
 * {@code new EventSource("/events?channel=news")}, resume after a drop with their last id, and are told what
 * they missed. Herald adds one handler in front of the application's; no Guice, no second port.
 *
 * <p>Run it with {@code java -jar examples/embedded-jetty/target/embedded-jetty.jar [port]} after
 * {@code mvn -pl examples/embedded-jetty -am package -DskipTests}. Thread-safe.
 */
public final class NewsServer implements AutoCloseable {

    private final Herald herald;
    private final Server server;
    private final ServerConnector connector;

    private NewsServer(Herald herald, Server server, ServerConnector connector) {
        this.herald = herald;
        this.server = server;
        this.connector = connector;
    }

    /** Starts Herald (memory store) and the application's server on {@code port}; 0 picks a free one. */
    public static NewsServer start(int port) throws Exception {
        Settings settings = Settings.defaults().with(SseSettings.PATH, "/events");
        Herald herald = Herald.builder()
                .settings(settings)
                .transport(new SseTransportModule(settings))
                .build()
                .start();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        // Herald answers its own paths (/events, /api/cursor) and declines the rest to the application.
        server.setHandler(new Handler.Sequence(herald.handler("sse", Handler.class), new NewsRoutes(herald)));
        try {
            server.start();
        } catch (Exception e) {
            herald.stop();
            throw e;
        }
        return new NewsServer(herald, server, connector);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            herald.stop();
        }
    }

    public static void main(String[] args) throws Exception {
        NewsServer news = start(args.length > 0 ? Integer.parseInt(args[0]) : 8080);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                news.close();
            } catch (Exception e) {
                System.err.println("news server did not stop cleanly: " + e);
            }
        }, "news-shutdown"));
        System.out.println("news at " + news.uri() + "/ ; events at " + news.uri() + "/events?channel=news");
        news.server.join();
    }
}
