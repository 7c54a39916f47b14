package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The STOMP handler is an ordinary Jetty 12 handler: an application mounts it in its own server. */
class StompEmbeddingTest {

    /** An application's own route: {@code /hello}; every other path is left to the next handler. */
    private static final class Hello extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!Request.getPathInContext(request).equals("/hello")) {
                return false;
            }
            response.setStatus(200);
            Content.Sink.write(response, true, "hello from the application", callback);
            return true;
        }
    }

    @Test
    void theNamedHandlerServesStompAtTheConfiguredPathBesideTheApplicationsRoutes() throws Exception {
        Settings settings = Settings.defaults().with(StompSettings.PATH, "/ws/stomp");
        try (Herald herald = Herald.builder().settings(settings).transport(new StompTransportModule(settings)).build().start()) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(new Handler.Sequence(herald.handler("stomp", Handler.class), new Hello()));
            server.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
                HttpResponse<String> hello = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/hello")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(hello.body()).isEqualTo("hello from the application");
                try (StompTestClient c = StompTestClient.connected(URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws/stomp"))) {
                    c.subscribe("s", "/topic/app.news");
                    herald.publish(ChannelName.of("/app/news"), "{\"headline\":\"hi\"}");
                    assertThat(c.next("MESSAGE").text()).isEqualTo("{\"headline\":\"hi\"}");
                }
            } finally {
                server.stop();
            }
        }
    }
}
