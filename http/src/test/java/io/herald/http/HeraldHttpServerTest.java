package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.config.Settings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

class HeraldHttpServerTest {

    private static final Settings LOCAL = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");

    /** Answers with the request's path; asking for the path in context must not fail (it needs a context). */
    private static final Handler ECHO = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Request.getPathInContext(request);
            JsonResponses.send(response, callback, 200, Map.of("path", request.getHttpURI().getPath()));
            return true;
        }
    };

    private static HttpResponse<String> get(HeraldHttpServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointIsMountedAtItsPath() throws Exception {
        HeraldHttpServer server = new HeraldHttpServer(LOCAL, Set.of(new HttpEndpoint("/echo", ECHO), new HttpEndpoint("/api/*", ECHO)));
        assertThat(server.problem()).isEqualTo("HTTP server is not started");
        server.start();
        try {
            assertThat(server.problem()).isNull();
            assertThat(get(server, "/echo").body()).isEqualTo("{\"path\":\"/echo\"}");
            assertThat(get(server, "/api/x/y").body()).isEqualTo("{\"path\":\"/api/x/y\"}");
            assertThat(get(server, "/elsewhere").statusCode()).isEqualTo(404);
            assertThat(server.paths()).containsExactly("/api/*", "/echo");
        } finally {
            server.stop();
        }
        assertThat(server.problem()).isNotNull();
    }

    @Test
    void aTakenPortIsRefusedInOneLine() {
        HeraldHttpServer first = new HeraldHttpServer(LOCAL, Set.of());
        first.start();
        try {
            Settings same = LOCAL.with(HttpSettings.PORT, String.valueOf(first.port()));
            assertThatThrownBy(() -> new HeraldHttpServer(same, Set.of()).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + first.port());
        } finally {
            first.stop();
        }
    }

    @Test
    void endpointPathsMustBeAbsolute() {
        assertThatThrownBy(() -> new HttpEndpoint("sse", ECHO)).hasMessageContaining("must start with '/'");
    }
}
