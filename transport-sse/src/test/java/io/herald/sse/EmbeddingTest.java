package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.Test;

/** The SSE handler is an ordinary Jetty 12 handler: an application mounts it where it likes. */
class EmbeddingTest {

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
