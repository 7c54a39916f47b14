package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server keeps its handler tree non-blocking, so that an endpoint that never waits answers on the
 * selector thread, and runs every endpoint that may block on the pool: a blocking endpoint that did run on the
 * selector thread would stop every other connection from being read.
 */
@DisplayName("endpoints that may block run on the pool, the rest of the tree does not")
class PooledHandlerTest {

    private static final Settings LOCAL = Settings.defaults().with(HttpSettings.PORT, "0").with(HttpSettings.HOST, "127.0.0.1");

    /** A non-blocking endpoint: answers at once on whatever thread Jetty runs it. */
    private static final class Quick extends Handler.Abstract.NonBlocking {
        final AtomicInteger served = new AtomicInteger();

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            served.incrementAndGet();
            JsonResponses.send(response, callback, 200, Map.of("quick", true));
            return true;
        }
    }

    /** A blocking endpoint: waits on a latch, as a handler waiting for a store would. */
    private static final class Waiting extends Handler.Abstract {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger waiting = new AtomicInteger();

        Waiting() {
            super(InvocationType.BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            waiting.incrementAndGet();
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            JsonResponses.send(response, callback, 200, Map.of("waited", true));
            return true;
        }
    }

    @Test
    @DisplayName("the tree is non-blocking, and a non-blocking endpoint answers while blocking ones wait on every selector")
    void blockingEndpointsDoNotHoldTheSelector() throws Exception {
        Quick quick = new Quick();
        Waiting waiting = new Waiting();
        HeraldHttpServer server = new HeraldHttpServer(LOCAL, Set.of(new HttpEndpoint("/quick", quick), new HttpEndpoint("/wait", waiting)));
        server.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            assertThat(server.invocationType()).isEqualTo(Handler.InvocationType.NON_BLOCKING);
            // More waiting requests than the machine has selectors (one per connection, each its own connection):
            // had one of them run on a selector thread, the quick requests that land on it would never be read.
            int blocked = 8;
            List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
            for (int i = 0; i < blocked; i++) {
                waits.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .sendAsync(request(server.uri().resolve("/wait")), HttpResponse.BodyHandlers.ofString()));
            }
            await("every waiting request is in its handler").atMost(Duration.ofSeconds(20)).until(() -> waiting.waiting.get() == blocked);
            for (int i = 0; i < 20; i++) {
                HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpResponse<String> answer = fresh.send(request(server.uri().resolve("/quick")), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("quick request %d while %d wait", i, blocked).isEqualTo(200);
            }
            assertThat(waits).noneMatch(CompletableFuture::isDone);
            waiting.release.countDown();
            for (CompletableFuture<HttpResponse<String>> wait : waits) {
                assertThat(wait.get(20, TimeUnit.SECONDS).body()).isEqualTo("{\"waited\":true}");
            }
            // After the waits, their connections carry further requests.
            assertThat(client.send(request(server.uri().resolve("/wait")), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            waiting.release.countDown();
            server.stop();
        }
    }

    @Test
    @DisplayName("a wrapped handler that declines is a 404, one that throws a 500, and only blocking handlers are wrapped")
    void declinesAndFailures() throws Exception {
        Handler declining = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return false;
            }
        };
        Handler throwing = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                throw new IllegalStateException("handler bug");
            }
        };
        assertThat(PooledHandler.needed(declining)).isTrue();
        assertThat(PooledHandler.needed(new Quick())).isFalse();
        HeraldHttpServer server = new HeraldHttpServer(LOCAL, Set.of(new HttpEndpoint("/declines", declining), new HttpEndpoint("/throws", throwing)));
        server.start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThat(client.send(request(server.uri().resolve("/declines")), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            HttpResponse<String> failed = client.send(request(server.uri().resolve("/throws")), HttpResponse.BodyHandlers.ofString());
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).doesNotContain("handler bug");
        } finally {
            server.stop();
        }
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
    }
}
