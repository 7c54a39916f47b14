package io.herald.testkit.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.core.Herald;
import io.herald.http.HeraldHttpServer;
import io.herald.testkit.http.SseStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two Herald servers sharing a store behave as one (G5): an SSE client on node A, the publisher on node B;
 * node A is stopped mid-stream while B keeps publishing; the client resumes on B with its Last-Event-ID and
 * has every message once, in order. A store module that claims multi-node operation extends this with how
 * it builds a node; the scenario is the same for every store.
 */
public abstract class TwoNodeResumeScenario {

    private static final int TOTAL = 60;

    /**
     * A started node on the shared store, with the HTTP server on an ephemeral port of 127.0.0.1 and the SSE
     * transport: each call gives another node of the same deployment.
     */
    protected abstract Herald node();

    /**
     * The SSE {@code Last-Event-ID} that resumes a stream right after {@code position} (the transport's own
     * encoding, which this kit cannot depend on).
     */
    protected abstract String lastEventIdAfter(Position position);

    private static void publish(Herald node, ChannelName channel, int from, int to) {
        for (int n = from; n <= to; n++) {
            node.publish(channel, "{\"n\":" + n + "}");
        }
    }

    private static URI stream(Herald node, ChannelName channel) {
        return node.injector().getInstance(HeraldHttpServer.class).uri().resolve("/sse?channel=" + channel.value());
    }

    @Test
    void aClientResumesOnAnotherNodeWithEveryMessageOnceInOrder() throws Exception {
        Herald a = node();
        Herald b = node();
        ChannelName channel = ChannelName.of("/two-nodes/room1");
        List<SseStream.Event> received = new ArrayList<>();
        try {
            // Resuming from the head read before anything is published: no message can slip past the client.
            String start = lastEventIdAfter(b.engine().head(channel));
            SseStream onA = SseStream.open(stream(a, channel), start);
            publish(b, channel, 1, 20);
            Awaitility.await("the client on node A receives what node B publishes").until(() -> onA.messages().size() >= 20);

            // Node A goes away while node B keeps publishing.
            Thread stopping = new Thread(a::stop, "stopping-a");
            stopping.start();
            publish(b, channel, 21, 40);
            stopping.join();
            Awaitility.await("node A's stream ends when node A stops").until(onA::ended);
            received.addAll(onA.messages());
            publish(b, channel, 41, 50);
            assertThat(received.size()).as("messages the client had when node A stopped").isBetween(20, 40);
            String lastEventId = received.get(received.size() - 1).id();

            try (SseStream onB = SseStream.open(stream(b, channel), lastEventId)) {
                Awaitility.await("the client resumed on node B catches up").until(() -> received.size() + onB.messages().size() >= 50);
                publish(b, channel, 51, TOTAL);
                Awaitility.await("the client resumed on node B receives the rest live").atMost(Duration.ofSeconds(20))
                        .until(() -> received.size() + onB.messages().size() >= TOTAL);
                received.addAll(onB.messages());
                assertThat(onB.events).as("events on node B: no missedevents after a good Last-Event-ID")
                        .allSatisfy(e -> assertThat(e.type()).isNull());
            }
            assertThat(received).extracting(SseStream.Event::data).as("payloads the client received across both nodes")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, TOTAL).mapToObj(n -> "{\"n\":" + n + "}").toList());
            assertThat(received).extracting(SseStream.Event::id).as("event ids across both nodes").doesNotHaveDuplicates();
        } finally {
            a.stop();
            b.stop();
        }
    }
}
