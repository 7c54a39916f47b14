package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.config.Settings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A handler that fails its exchange because the client went away (an {@link EofException}, as a held poll
 * whose client vanished does) gets no 500 and no warning; a real failure still gets both.
 */
class ClientGoneErrorTest {

    private static final Settings LOCAL = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");

    private static Handler failingWith(Throwable failure) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                callback.failed(failure);
                return true;
            }
        };
    }

    private HeraldHttpServer server;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(JsonErrorHandler.class);

    @BeforeEach
    void start() {
        server = new HeraldHttpServer(LOCAL, Set.of(
                new HttpEndpoint("/gone", failingWith(new EofException("the client closed the connection"))),
                new HttpEndpoint("/broken", failingWith(new IllegalStateException("a bug")))));
        server.start();
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void stop() {
        log.detachAppender(logged);
        server.stop();
    }

    /** Everything the server sends for a GET of {@code path} on a fresh connection, until it closes it. */
    private String exchange(String path) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aClientThatWentAwayIsNoServerError() throws Exception {
        assertThat(exchange("/gone")).doesNotContain("500");
        assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void aRealFailureIsStillA500WithAWarning() throws Exception {
        assertThat(exchange("/broken")).startsWith("HTTP/1.1 500").contains("{\"error\":\"Server Error\",\"status\":500}");
        assertThat(logged.list).anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("/broken -> 500"));
    }

    @Test
    void theClientGoneTestLooksThroughCauses() {
        assertThat(JsonErrorHandler.clientGone(new RuntimeException(new java.nio.channels.ClosedChannelException()))).isTrue();
        assertThat(JsonErrorHandler.clientGone(new IllegalStateException("x"))).isFalse();
        assertThat(JsonErrorHandler.clientGone(null)).isFalse();
    }
}
