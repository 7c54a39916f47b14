package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Batches sent concurrently, interleaved with single publishes, on a few shared channels: every element gets a
 * position of its own, a channel's elements of one batch take positions in array order, and the history holds
 * each channel's messages exactly once, in the order of their positions.
 */
class PublishBatchStressTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CHANNELS = {"/stress/a", "/stress/b", "/stress/c"};
    private static final int THREADS = 8;
    private static final int BATCHES = 25;

    @Test
    @DisplayName("concurrent batches and single publishes: unique positions, array order per channel, history complete")
    void concurrentBatches() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        String context = "seed " + seed + " (rerun with -Dstress.seed=" + seed + ")";
        try (TestServer server = TestServer.start("--history-size", "100000")) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<Map<String, List<long[]>>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random random = new Random(seed + t);
                int thread = t;
                futures.add(pool.submit(() -> send(server, thread, random, context)));
            }
            Map<String, List<Long>> offsets = new HashMap<>();
            for (Future<Map<String, List<long[]>>> future : futures) {
                future.get(120, TimeUnit.SECONDS).forEach((channel, seen) -> {
                    for (long[] entry : seen) {
                        offsets.computeIfAbsent(channel, c -> new ArrayList<>()).add(entry[0]);
                    }
                });
            }
            pool.shutdown();

            for (String channel : CHANNELS) {
                List<Long> answered = offsets.getOrDefault(channel, List.of());
                List<JsonNode> messages = new ArrayList<>();
                long head = -1;
                while (head < 0 || messages.size() < head) {
                    JsonNode page = JSON.readTree(server.get("/api/history?channel=" + channel + "&limit=1000&after="
                            + messages.size()).body());
                    head = page.get("head").asLong();
                    page.get("messages").forEach(messages::add);
                    if (page.get("messages").isEmpty()) {
                        break;
                    }
                }
                assertThat(head).as("%s head, %s", channel, context).isEqualTo(answered.size());
                assertThat(messages).as("%s history, %s", channel, context).hasSize(answered.size());
                assertThat(answered).as("%s: every position answered once, %s", channel, context)
                        .doesNotHaveDuplicates().allMatch(o -> o >= 1 && o <= answered.size());
                // In history, a batch's messages on this channel appear in array order: their "i" increases.
                Map<String, Integer> lastIndex = new HashMap<>();
                for (JsonNode message : messages) {
                    JsonNode data = message.get("data");
                    String batch = data.get("b").asText();
                    int index = data.get("i").asInt();
                    Integer previous = lastIndex.put(batch, index);
                    assertThat(previous == null || previous < index)
                            .as("%s: batch %s element %d after %s, %s", channel, batch, index, previous, context).isTrue();
                }
            }
        }
    }

    /** Sends this thread's batches (and a single publish now and then); answers channel -> [offset, element index]. */
    private static Map<String, List<long[]>> send(TestServer server, int thread, Random random, String context) throws Exception {
        Map<String, List<long[]>> seen = new HashMap<>();
        for (int b = 0; b < BATCHES; b++) {
            String batch = thread + "-" + b;
            int size = 1 + random.nextInt(20);
            List<String> channels = new ArrayList<>();
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < size; i++) {
                String channel = CHANNELS[random.nextInt(CHANNELS.length)];
                channels.add(channel);
                body.append(i == 0 ? "" : ",").append("{\"channel\":\"").append(channel)
                        .append("\",\"data\":{\"b\":\"").append(batch).append("\",\"i\":").append(i).append("}}");
            }
            HttpResponse<String> response = server.post("/api/publish", body.append(']').toString());
            assertThat(response.statusCode()).as("%s: %s", context, response.body()).isEqualTo(200);
            JsonNode results = JSON.readTree(response.body()).get("results");
            Map<String, Long> last = new HashMap<>();
            for (int i = 0; i < size; i++) {
                long offset = results.get(i).get("position").get("offset").asLong();
                Long previous = last.put(channels.get(i), offset);
                assertThat(previous == null || previous < offset)
                        .as("batch %s element %d on %s at %d after %s, %s", batch, i, channels.get(i), offset, previous, context).isTrue();
                seen.computeIfAbsent(channels.get(i), c -> new ArrayList<>()).add(new long[] {offset, i});
            }
            if (random.nextInt(4) == 0) {
                String channel = CHANNELS[random.nextInt(CHANNELS.length)];
                HttpResponse<String> single = server.publish(channel, "{\"b\":\"" + batch + "-single\",\"i\":0}");
                assertThat(single.statusCode()).as(context).isEqualTo(200);
                seen.computeIfAbsent(channel, c -> new ArrayList<>())
                        .add(new long[] {JSON.readTree(single.body()).get("position").get("offset").asLong(), 0});
            }
            // Random pauses shift how the threads' batches interleave from run to run.
            LockSupport.parkNanos(random.nextInt(2_000_000));
        }
        return seen;
    }
}
