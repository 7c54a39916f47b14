package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cometd.bayeux.server.BayeuxServer;
import org.cometd.bayeux.server.LocalSession;
import org.cometd.bayeux.server.ServerChannel;
import org.cometd.server.AbstractServerTransport;
import org.cometd.server.BayeuxServerImpl;
import org.cometd.server.JacksonJSONContextServer;
import org.cometd.server.websocket.common.AbstractWebSocketTransport;
import org.cometd.server.websocket.jetty.JettyWebSocketTransport;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's plain Bayeux parts against a real, unmodified CometD 9 server (its Jetty WebSocket transport; its
 * HTTP transport is not on Maven Central): connect, subscribe to exact and wildcard channels, publish, reconnect
 * after dropped links, and rejoin every channel after the server lost the session (restarted), with no
 * application code. CometD gives no positions, so messages carry none and nothing is resumed.
 */
class CometdServerInteropTest {

    private CometdPeer server;
    private HeraldClient client;
    private final List<ConnectionState> states = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private HeraldClient client() {
        client = HeraldClient.builder(server.url()).transports("websocket")
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).maxNetworkDelay(Duration.ofSeconds(2))
                .onStateChange((state, cause) -> states.add(state)).build();
        return client;
    }

    @Test
    void connectsSubscribesAndPublishesOnCometd() throws Exception {
        server = new CometdPeer(0);
        HeraldClient c = client();
        c.connect().get();
        assertThat(c.clientId()).as("a client id CometD gave").isNotBlank();
        List<String> exact = new CopyOnWriteArrayList<>();
        List<String> wild = new CopyOnWriteArrayList<>();
        c.subscribe("/room/a", m -> exact.add(m.json())).get();
        c.subscribe("/chat/*", m -> wild.add(m.channel().value() + " " + m.json())).get();
        assertThat(server.subscribers("/room/a")).isEqualTo(1);
        assertThat(server.subscribers("/chat/*")).isEqualTo(1);

        assertThat(c.publish("/room/a", Map.of("n", 1)).get()).as("CometD gives no position").isNull();
        server.publish("/room/a", Map.of("n", 2));
        server.publish("/chat/x", Map.of("n", 3));
        server.publish("/chat/x/deeper", Map.of("n", 4)); // not matched by a one-segment wildcard
        server.publish("/chat/y", Map.of("n", 5));
        await().until(() -> exact.size() == 2 && wild.size() == 2);
        assertThat(exact).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(wild).containsExactly("/chat/x {\"n\":3}", "/chat/y {\"n\":5}");

        c.unsubscribe("/room/a").get();
        await().until(() -> server.subscribers("/room/a") == 0);
        c.disconnect();
        await().until(() -> server.remoteSessions() == 0);
    }

    @Test
    void reconnectsAfterDroppedLinksAndKeepsReceiving() throws Exception {
        // On every new link the client handshakes again, asking to resume its session through ext.herald.clientId;
        // CometD ignores that extension and gives a new session (the old one lingers until its max interval), so
        // this is a reconnect and a rejoin in one: the client must be back on its channel with no application code.
        server = new CometdPeer(0);
        HeraldClient c = client();
        c.connect().get();
        List<String> got = new CopyOnWriteArrayList<>();
        c.subscribe("/room/a", m -> got.add(m.json())).get();
        for (int cut = 0; cut < 3; cut++) {
            int before = states.size();
            assertThat(server.dropLinks()).isPositive();
            await().until(() -> states.subList(before, states.size()).contains(ConnectionState.RECONNECTING)
                    && c.state() == ConnectionState.CONNECTED);
            // The old session lingers on the server until its max interval, subscribed but with no link.
            await().until(() -> server.subscribed(c.clientId(), "/room/a"));
            server.publish("/room/a", Map.of("cut", cut));
            int expected = cut + 1;
            await().until(() -> got.size() == expected);
        }
        assertThat(got).containsExactly("{\"cut\":0}", "{\"cut\":1}", "{\"cut\":2}");
    }

    @Test
    void rejoinsEveryChannelAfterCometdLostTheSession() throws Exception {
        server = new CometdPeer(0);
        int port = server.port();
        HeraldClient c = client();
        c.connect().get();
        String before = c.clientId();
        List<String> exact = new CopyOnWriteArrayList<>();
        List<String> wild = new CopyOnWriteArrayList<>();
        List<String> gone = new CopyOnWriteArrayList<>();
        c.subscribe("/room/a", m -> exact.add(m.json())).get();
        c.subscribe("/chat/**", m -> wild.add(m.channel().value() + " " + m.json())).get();
        c.subscribe("/gone", m -> gone.add(m.json())).get();
        c.unsubscribe("/gone").get();

        for (int restart = 0; restart < 2; restart++) {
            // A new server process on the same port: it knows no session, so the client's next connect is answered
            // 402::session_unknown and it must handshake again and join its channels again by itself.
            server.close();
            server = new CometdPeer(port);
            await().until(() -> server.subscribers("/room/a") == 1 && server.subscribers("/chat/**") == 1);
            assertThat(server.subscribers("/gone")).as("an unsubscribed channel stays gone").isZero();
            server.publish("/room/a", Map.of("r", restart));
            server.publish("/chat/deep/er", Map.of("r", restart));
            server.publish("/gone", Map.of("r", restart));
            int expected = restart + 1;
            await().until(() -> exact.size() == expected && wild.size() == expected);
        }
        assertThat(c.clientId()).as("a new session after the server forgot the old one").isNotEqualTo(before);
        assertThat(exact).containsExactly("{\"r\":0}", "{\"r\":1}");
        assertThat(wild).containsExactly("/chat/deep/er {\"r\":0}", "/chat/deep/er {\"r\":1}");
        assertThat(gone).isEmpty();
    }

    /**
     * A CometD 9 server wired as CometD's own load-test server wires its "jetty" WebSocket transport, with a local
     * session to publish from the server side, on a given port (0: any) so it can be restarted in place.
     */
    private static final class CometdPeer implements AutoCloseable {

        private final Server jetty = new Server();
        private final ServerConnector connector;
        private final BayeuxServerImpl bayeux = new BayeuxServerImpl();
        private final LocalSession publisher;

        CometdPeer(int port) throws Exception {
            connector = new ServerConnector(jetty, 1, 1);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            connector.setReuseAddress(true);
            jetty.addConnector(connector);
            ContextHandler context = new ContextHandler("/");
            jetty.setHandler(context);
            context.setHandler(WebSocketUpgradeHandler.from(jetty, context));
            bayeux.setOption(Context.class.getName(), context.getContext());
            bayeux.setOption(AbstractWebSocketTransport.COMETD_URL_MAPPING_OPTION, "/cometd/*");
            bayeux.setOption(AbstractServerTransport.JSON_CONTEXT_OPTION, JacksonJSONContextServer.class.getName());
            bayeux.addTransport(new JettyWebSocketTransport(bayeux));
            context.setAttribute(BayeuxServer.ATTRIBUTE, bayeux);
            context.addBean(bayeux, true);
            jetty.start();
            publisher = bayeux.newLocalSession("test-publisher");
            publisher.handshake();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + port() + "/cometd");
        }

        int port() {
            return connector.getLocalPort();
        }

        void publish(String channel, Object data) {
            publisher.getChannel(channel).publish(data);
        }

        int subscribers(String channel) {
            ServerChannel c = bayeux.getChannel(channel);
            return c == null ? 0 : c.getSubscribers().size();
        }

        boolean subscribed(String clientId, String channel) {
            ServerChannel c = bayeux.getChannel(channel);
            return c != null && c.getSubscribers().stream().anyMatch(s -> s.getId().equals(clientId));
        }

        long remoteSessions() {
            return bayeux.getSessions().stream().filter(s -> !s.isLocalSession()).count();
        }

        int dropLinks() {
            int dropped = 0;
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                endPoint.close();
                dropped++;
            }
            return dropped;
        }

        @Override
        public void close() throws Exception {
            jetty.stop();
        }
    }
}
