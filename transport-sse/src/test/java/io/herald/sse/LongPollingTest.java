package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Long polling with a plain HTTP client, as Redisse's polling clients do. */
class LongPollingTest {

    private static final ChannelName A = ChannelName.of("/poll/a");
    private static final ChannelName B = ChannelName.of("/poll/b");

    private final HttpClient http = HttpClient.newHttpClient();

    /** Parses a whole polled body into events. */
    static List<SseEvent> events(String body) {
        List<SseEvent> events = new ArrayList<>();
        String id = null;
        String type = null;
        StringBuilder data = null;
        for (String line : body.split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new SseEvent(id, type, data.toString()));
                }
                id = null;
                type = null;
                data = null;
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                type = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
        return events;
    }

    private HttpResponse<String> poll(URI base, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/sse?polling&" + query)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutAnIdAPollAnswersTheCurrentHeadsAtOnce() throws Exception {
        try (SseServer server = new SseServer()) {
            server.herald.publish(A, "{\"old\":1}");
            HttpResponse<String> response = poll(server.uri, "channel=poll/a");
            assertThat(response.statusCode()).isEqualTo(200);
            List<SseEvent> events = events(response.body());
            assertThat(events).hasSize(1);
            assertThat(events.get(0).type()).isEqualTo("lastEventId");
            assertThat(events.get(0).id()).endsWith(".1");
        }
    }

    /** Issue: a poll with a meaningless id wrote the reset at once but held the answer for the whole timeout. */
    @Test
    void aPollWithAnUnknownIdAnswersTheResetAtOnce() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_TIMEOUT, "60s"))) {
            server.herald.publish(A, "{\"old\":1}");
            // The client gives up long before the poll timeout: a held answer fails the test.
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri.resolve("/sse?polling&channel=poll/a&lastEventId=not-an-id"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            List<SseEvent> events = events(response.body());
            assertThat(events).extracting(SseEvent::type).containsExactly("missedevents");
            assertThat(events.get(0).data()).contains("\"reset\":true");
            assertThat(events.get(0).id()).endsWith(".1");
        }
    }

    @Test
    void aPollWithNothingPendingWaitsForTheTimeoutThenAnswersItsId() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_TIMEOUT, "500ms"))) {
            String id = events(poll(server.uri, "channel=poll/a").body()).get(0).id();
            long start = System.nanoTime();
            List<SseEvent> events = events(poll(server.uri, "channel=poll/a&lastEventId=" + id).body());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
            assertThat(events).extracting(SseEvent::type).containsExactly("lastEventId");
            assertThat(events.get(0).id()).isEqualTo(id);
        }
    }

    @Test
    void aPollReturnsWhatIsPendingBatchedThenCloses() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_BATCH, "300ms"))) {
            String id = events(poll(server.uri, "channel=poll/a&channel=poll/b").body()).get(0).id();
            server.herald.publish(A, "{\"n\":1}");
            server.herald.publish(B, "{\"n\":2}");
            List<SseEvent> events = events(poll(server.uri, "channel=poll/a&channel=poll/b&lastEventId=" + id).body());
            assertThat(events).extracting(SseEvent::data).containsExactly("{\"n\":1}", "{\"n\":2}");
        }
    }

    @Test
    void aPollingClientResumingByIdMissesNothingAcrossAThousandMessages() throws Exception {
        int total = 1000;
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, String.valueOf(total))
                .with(SseSettings.POLL_BATCH, "50ms").with(SseSettings.POLL_TIMEOUT, "2s");
        try (SseServer server = new SseServer(settings)) {
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread publisher = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < total; i++) {
                    server.herald.publish(i % 3 == 0 ? B : A, "{\"i\":" + i + "}");
                    LockSupport.parkNanos(random.nextLong(3_000_000));
                }
                publishing.set(false);
            });
            String id = events(poll(server.uri, "channel=poll/a&channel=poll/b").body()).get(0).id();
            publisher.start();
            List<Integer> received = new ArrayList<>();
            int polls = 0;
            while (received.size() < total) {
                String query = "channel=poll/a&channel=poll/b&lastEventId=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
                for (SseEvent event : events(poll(server.uri, query).body())) {
                    id = event.id();
                    if (event.isMessage()) {
                        received.add(Integer.parseInt(event.data().replaceAll("\\D", "")));
                    }
                }
                polls++;
                assertThat(polls).as("polls before all arrived").isLessThan(5000);
            }
            publisher.join();
            List<Integer> perA = received.stream().filter(i -> i % 3 != 0).toList();
            List<Integer> perB = received.stream().filter(i -> i % 3 == 0).toList();
            assertThat(received).hasSize(total).doesNotHaveDuplicates();
            assertThat(perA).isSorted();
            assertThat(perB).isSorted();
            assertThat(polls).isGreaterThan(1);
        }
    }
}
