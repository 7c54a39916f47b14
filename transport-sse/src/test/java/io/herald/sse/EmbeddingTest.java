package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.ChannelName;
import io.herald.core.Herald;
import io.herald.core.config.ConfigurationException;
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
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The SSE handler is an ordinary Jetty 12 handler: an application mounts it where it likes. */
class EmbeddingTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

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
    void theNamedHandlerServesStreamsAndCursorsAtTheConfiguredPathsBesideTheApplicationsRoutes() throws Exception {
        Settings settings = Settings.defaults().with(SseSettings.PATH, "/events").with(SseSettings.CURSOR_PATH, "/events/cursor");
        try (Herald herald = Herald.builder().settings(settings).transport(new SseTransportModule(settings)).build().start()) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(new Handler.Sequence(herald.handler("sse", Handler.class), new Hello()));
            server.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
                assertThat(get(base, "/hello").body()).isEqualTo("hello from the application");
                assertThat(get(base, "/sse?channel=app/news").statusCode()).as("the default path is not served").isEqualTo(404);
                assertThat(get(base, "/api/cursor?channel=app/news").statusCode()).as("nor the default cursor path").isEqualTo(404);
                herald.publish(ChannelName.of("/app/news"), "{\"headline\":\"before\"}");
                HttpResponse<String> cursor = get(base, "/events/cursor?channel=app/news");
                assertThat(cursor.statusCode()).isEqualTo(200);
                String id = cursor.body().replaceAll(".*\"lastEventId\":\"([^\"]+)\".*", "$1");
                herald.publish(ChannelName.of("/app/news"), "{\"headline\":\"after\"}");
                try (SseTestClient client = SseTestClient.connect(base, "/events?channel=app/news&lastEventId=" + id)) {
                    assertThat(client.status).isEqualTo(200);
                    assertThat(client.next().data()).as("what followed the cursor, and only that").isEqualTo("{\"headline\":\"after\"}");
                }
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void aMalformedPathIsRefusedWhenHeraldIsBuilt() {
        Settings settings = Settings.defaults().with(SseSettings.CURSOR_PATH, "api/cursor/");
        assertThatThrownBy(() -> Herald.builder().settings(settings).transport(new SseTransportModule(settings)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for sse.cursor-path (code): 'api/cursor/' is not a path like /sse (no trailing slash)");
    }

    private static HttpResponse<String> get(URI base, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHandlerServesStreamsUnderAnyPathOfAnApplicationsOwnServer() throws Exception {
        Settings settings = Settings.defaults();
        try (Herald herald = Herald.builder().settings(settings).transport(new SseTransportModule(settings)).build().start()) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            ContextHandler events = new ContextHandler(herald.injector().getInstance(SseHandler.class), "/events");
            events.setAllowNullPathInContext(true);
            server.setHandler(new ContextHandlerCollection(events));
            server.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
                try (SseTestClient client = SseTestClient.connect(base, "/events?channel=app/news")) {
                    assertThat(client.status).isEqualTo(200);
                    assertThat(client.next().type()).isEqualTo("lastEventId");
                    herald.publish(ChannelName.of("/app/news"), "{\"headline\":\"embedded\"}");
                    assertThat(client.next().data()).isEqualTo("{\"headline\":\"embedded\"}");
                }
            } finally {
                server.stop();
            }
        }
    }
}
