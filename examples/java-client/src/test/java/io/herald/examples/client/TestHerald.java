package io.herald.examples.client;

import com.google.inject.Module;
import io.herald.bayeux.BayeuxTransportModule;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import java.net.URI;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Herald with the Bayeux transport, mounted in a Jetty server the test owns (the same as the client
 * module's test server, which test sources cannot share across modules).
 */
final class TestHerald implements AutoCloseable {

    final Herald herald;
    private final Server server;
    private final ServerConnector connector;

    TestHerald(Settings settings, Module store) {
        this(settings, store, 0);
    }

    TestHerald(Settings settings, Module store, int port) {
        Herald.Builder builder = Herald.builder().settings(settings).transport(new BayeuxTransportModule(settings));
        if (store != null) {
            builder.store(store);
        }
        herald = builder.build().start();
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.setHandler(herald.handler("bayeux", Handler.class));
        try {
            server.start();
        } catch (Exception e) {
            herald.stop();
            throw new IllegalStateException("cannot start Jetty", e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    URI bayeux() {
        return URI.create("http://127.0.0.1:" + port() + "/bayeux");
    }

    /** Closes every open connection abruptly; new ones are accepted. */
    int dropLinks() {
        int dropped = 0;
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            endPoint.close();
            dropped++;
        }
        return dropped;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            herald.stop();
        }
    }
}
