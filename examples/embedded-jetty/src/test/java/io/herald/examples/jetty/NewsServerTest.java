package io.herald.examples.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starts the example as a user would and uses it over real HTTP: its own routes, and Herald's SSE beside them. */
class NewsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private NewsServer news;

    @BeforeEach
    void start() throws Exception {
        news = NewsServer.start(0);
    }

    @AfterEach
    void stop() throws Exception {
        news.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return news.uri().resolve(path);
    }

    @Test
    void theApplicationsOwnRoutesStillAnswer() throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/")));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("new EventSource(\"/events?channel=news\")");
        assertThat(send(HttpRequest.newBuilder(uri("/nothing-here"))).statusCode()).isEqualTo(404);
    }

    @Test
    void aHeadlinePostedToTheApplicationReachesAnSseStreamAtEvents() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest subscribe = HttpRequest.newBuilder(uri("/events?channel=news")).header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(subscribe, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = stream.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        Thread reader = new Thread(() -> response.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // The stream opens with the id to resume from, so the subscription is live before we publish.
            await().until(() -> lines.contains("event: lastEventId"));
            HttpResponse<String> posted = send(HttpRequest.newBuilder(uri("/news"))
                    .POST(HttpRequest.BodyPublishers.ofString("Herald \"embedded\" in Jetty")));
            assertThat(posted.statusCode()).isEqualTo(201);
            await().until(() -> lines.contains("data: {\"headline\":\"Herald \\\"embedded\\\" in Jetty\"}"));
            int data = lines.indexOf("data: {\"headline\":\"Herald \\\"embedded\\\" in Jetty\"}");
            assertThat(lines.subList(0, data)).anySatisfy(line -> assertThat(line).startsWith("id: "));
        } finally {
            response.body().close();
        }
    }

    @Test
    void theCursorEndpointComesWithTheTransport() throws Exception {
        HttpResponse<String> cursor = send(HttpRequest.newBuilder(uri("/api/cursor?channel=news")));
        assertThat(cursor.statusCode()).isEqualTo(200);
        assertThat(cursor.body()).contains("\"lastEventId\"", "\"/news\"");
    }
}
