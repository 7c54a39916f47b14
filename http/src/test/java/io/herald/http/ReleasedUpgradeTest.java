package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real Jetty WebSocket whose upgrade request is released once open: it still works, and the HTTP side goes. */
class ReleasedUpgradeTest {

    /** Echoes text; releases the upgrade request on open when asked to. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        final boolean release;
        final CompletableFuture<Session> opened = new CompletableFuture<>();
        volatile boolean released;
        volatile Session session;

        Echo(boolean release) {
            this.release = release;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            released = release && ReleasedUpgrade.release(session);
            opened.complete(session);
        }

        @Override
        public void onWebSocketText(String text) {
            session.sendText("echo " + text, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }

    /** Receives text frames. */
    public static final class Receiver implements Session.Listener.AutoDemanding {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();

        @Override
        public void onWebSocketText(String text) {
            texts.add(text);
        }
    }

    private Server server;
    private WebSocketClient client;
    private volatile Echo echo;
    private volatile WeakReference<Object> httpConnection;

    private void start(boolean release) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(0);
        server.addConnector(connector);
        // Mounted as Herald mounts its endpoints: a path mapping inside a context handler.
        PathMappingsHandler mappings = new PathMappingsHandler();
        mappings.addMapping(PathSpec.from("/ws"), new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                ServerWebSocketContainer container = ServerWebSocketContainer.ensure(getServer());
                return container.upgrade((rq, rs, cb) -> {
                    httpConnection = new WeakReference<>(rq.getConnectionMetaData().getConnection());
                    rs.setAcceptedSubProtocol("v12.stomp");
                    Echo e = new Echo(release);
                    echo = e;
                    return e;
                }, release ? ReleasedUpgrade.sharedContext(request) : request, response, callback);
            }
        });
        server.setHandler(new ContextHandler(mappings, "/"));
        ServerWebSocketContainer.ensure(server);
        server.start();
        client = new WebSocketClient();
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.stop();
        }
    }

    private Session connect(Receiver receiver) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setSubProtocols("v12.stomp");
        return client.connect(receiver, URI.create("ws://127.0.0.1:" + port + "/ws?x=1"), upgrade).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReleasedSocketStillWorksAndAnswersWhatItKeeps() throws Exception {
        start(true);
        Receiver receiver = new Receiver();
        Session clientSide = connect(receiver);
        Session serverSide = echo.opened.get(10, TimeUnit.SECONDS);

        assertThat(echo.released).isTrue();
        assertThat(serverSide.getUpgradeRequest()).isInstanceOf(ReleasedUpgrade.class);
        assertThat(serverSide.getUpgradeRequest().getProtocolVersion()).isEqualTo("13");
        assertThat(serverSide.getUpgradeRequest().getSubProtocols()).containsExactly("v12.stomp");
        assertThat(serverSide.getUpgradeRequest().getRequestURI().getPath()).isEqualTo("/ws");
        assertThat(serverSide.getUpgradeRequest().getQueryString()).isEqualTo("x=1");
        assertThat(serverSide.getUpgradeRequest().getHeaders()).isEmpty();
        assertThat(serverSide.getUpgradeResponse()).isNull();
        assertThat(serverSide.getProtocolVersion()).isEqualTo("13");
        assertThat(serverSide.isSecure()).isFalse();
        assertThat(ReleasedUpgrade.release(serverSide)).as("releasing twice is harmless").isTrue();

        clientSide.sendText("hello", org.eclipse.jetty.websocket.api.Callback.NOOP);
        assertThat(receiver.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("echo hello");
    }

    @Test
    void onceReleasedTheUpgradedHttpConnectionCanBeCollected() throws Exception {
        start(true);
        Receiver receiver = new Receiver();
        Session clientSide = connect(receiver);
        echo.opened.get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return httpConnection.get() == null;
        });
        clientSide.sendText("still there", org.eclipse.jetty.websocket.api.Callback.NOOP);
        assertThat(receiver.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("echo still there");
    }

    @Test
    void withoutTheReleaseJettyKeepsTheHttpConnection() throws Exception {
        start(false);
        Receiver receiver = new Receiver();
        connect(receiver);
        Session serverSide = echo.opened.get(10, TimeUnit.SECONDS);

        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        // What the release is for: the socket's upgrade request still reaches the HTTP connection it came from.
        assertThat(httpConnection.get()).isNotNull();
        assertThat(serverSide.getUpgradeRequest()).isNotInstanceOf(ReleasedUpgrade.class);
        assertThat(List.of(serverSide.getUpgradeResponse())).doesNotContainNull();
    }
}
