package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP server's own refusals, whatever endpoints it mounts: every error Jetty answers is JSON, no internals
 * leak (exception names, stack traces, the server's software and version), and the API key guard is shared.
 */
@DisplayName("HTTP server security")
class HttpSecurityTest {

    /** A handler with a bug: what it throws must not reach the client. */
    private static final Handler BROKEN = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            throw new IllegalStateException("secret internal state at org.example.Thing");
        }
    };

    private static HeraldHttpServer server;

    @BeforeAll
    static void start() {
        Settings settings = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");
        server = new HeraldHttpServer(settings, Set.of(new HttpEndpoint("/broken", BROKEN)));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE"})
    @DisplayName("an exception a handler lets through is a JSON 500 naming nothing inside")
    void handlerExceptionsAreOpaqueJson(String method) {
        String answer = raw(method + " /broken HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 500").containsIgnoringCase("content-type: application/json")
                .contains("{\"error\":\"Server Error\",\"status\":500}")
                .doesNotContain("secret", "IllegalStateException", "org.example", "<html");
    }

    @Test
    @DisplayName("an unparseable request line, an unmapped path and a bad header are JSON, with no Server header")
    void parserErrorsAreJson() {
        for (String request : new String[] {"GARBAGE\r\n\r\n", "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /broken HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n"}) {
            String answer = raw(request);
            assertThat(answer).as(request).matches("(?s)HTTP/1.1 4\\d\\d .*").containsIgnoringCase("content-type: application/json")
                    .doesNotContainIgnoringCase("\r\nserver:").doesNotContain("<html");
        }
    }

    @Test
    @DisplayName("JSON error messages keep Jetty's plain descriptions and drop anything naming an exception or class")
    void messagesAreSanitized() {
        assertThat(JsonErrorHandler.describe(400, "Ambiguous URI path separator")).isEqualTo("Ambiguous URI path separator");
        assertThat(JsonErrorHandler.describe(500, "java.lang.NullPointerException")).isEqualTo("Server Error");
        assertThat(JsonErrorHandler.describe(400, "java.util.concurrent.TimeoutException: Idle timeout")).isEqualTo("Bad Request");
        assertThat(new String(JsonErrorHandler.body(400, "a \"quoted\"\nline"), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"a \\\"quoted\\\" line\",\"status\":400}");
    }
}
