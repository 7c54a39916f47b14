package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Replay;
import io.herald.api.StoreException;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.herald.core.HealthCheck;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.Subscription;
import io.herald.core.config.CoreSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Redis restarts while a node keeps publishing: publishes fail with a clear {@link StoreException} meanwhile,
 * nothing is half-written, and once Redis is back publishing succeeds again and a live subscriber ends with
 * the whole history, without restarting the node. This also covers the scripts Redis forgot (NOSCRIPT).
 */
class RedisRestartTest {

    @Test
    void publishingFailsClearlyDuringARestartAndResumesAfterIt() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(null, true)) {
            Herald node = Nodes.build(Nodes.settings(redis.url(), RedisTestSupport.uniquePrefix())
                    .with(CoreSettings.HISTORY_SIZE, "1000000")).start();
            try {
                ChannelName channel = ChannelName.of("/restart/room");
                Nodes.Collecting subscriber = new Nodes.Collecting();
                Subscription subscription = node.engine().subscribe(io.herald.api.Principal.SERVER, channel, Resume.live(), subscriber);
                String epoch = subscription.registeredAt().epoch();

                Map<Integer, Position> succeeded = new ConcurrentHashMap<>();
                List<Integer> failed = Collections.synchronizedList(new ArrayList<>());
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean publishing = new AtomicBoolean(true);
                Thread publisher = new Thread(() -> {
                    for (int n = 1; publishing.get(); n++) {
                        try {
                            succeeded.put(n, node.publish(channel, "{\"n\":" + n + "}").position());
                        } catch (RuntimeException e) {
                            failed.add(n);
                            failures.add(e);
                        }
                    }
                }, "publisher");
                publisher.start();

                Awaitility.await("publishing before the restart").until(() -> succeeded.size() >= 50);
                redis.stop();
                Awaitility.await("publishes fail while Redis is down").until(() -> failed.size() >= 5);
                Awaitility.await("/health's redis check sees Redis down").until(() -> redisCheck(node).problem() != null);
                assertThat(redisCheck(node).problem()).as("what /health says while Redis is down")
                        .startsWith("Redis at redis://127.0.0.1:" + redis.port() + "/0: ");
                int successesWhileDown = succeeded.size();
                redis.restart();
                Awaitility.await("publishing succeeds again after the restart").atMost(Duration.ofSeconds(20))
                        .until(() -> succeeded.size() >= successesWhileDown + 50);
                publishing.set(false);
                publisher.join();
                Awaitility.await("/health's redis check sees Redis back").atMost(Duration.ofSeconds(20))
                        .until(() -> redisCheck(node).problem() == null);

                assertThat(failures).as("what publishers got while Redis was down").allSatisfy(e -> {
                    assertThat(e).isInstanceOf(StoreException.class);
                    assertThat(e.getMessage()).startsWith("cannot append to " + channel + ": Redis at redis://127.0.0.1:" + redis.port() + "/0");
                });

                List<Message> history = readAll(node, channel);
                assertThat(history).as("history after the restart").isNotEmpty();
                assertThat(history).extracting(m -> m.position().epoch()).as("epoch after a restart that kept the data").containsOnly(epoch);
                assertThat(history).extracting(Message::offset).as("offsets after the restart: consecutive, nothing half-written")
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, history.size()).mapToObj(i -> (long) i).toList());
                List<Integer> stored = history.stream().map(m -> payloadNumber(m)).toList();
                assertThat(stored).as("payloads stored, each once").doesNotHaveDuplicates();
                succeeded.forEach((n, position) -> assertThat(history.get((int) position.offset() - 1)).as("message %d stored at %s", n, position)
                        .satisfies(m -> assertThat(payloadNumber(m)).isEqualTo(n)));
                // A publish whose reply was lost as Redis went down may have been stored although it failed: at most the one in flight.
                assertThat(stored.stream().filter(failed::contains).count()).as("failed publishes that were stored anyway").isLessThanOrEqualTo(1);

                Awaitility.await("the live subscriber gets the whole history once the broker is back").atMost(Duration.ofSeconds(20))
                        .until(() -> subscriber.messages(channel).size() >= history.size());
                assertThat(subscriber.messages(channel)).as("what the live subscriber received across the restart").isEqualTo(history);
                assertThat(subscriber.gaps()).as("gaps reported to the live subscriber").isEmpty();
            } finally {
                node.stop();
            }
        }
    }

    private static HealthCheck redisCheck(Herald node) {
        Set<HealthCheck> checks = node.injector().getInstance(Key.get(new TypeLiteral<Set<HealthCheck>>() { }));
        return checks.stream().filter(c -> c.name().equals("redis")).findFirst().orElseThrow();
    }

    private static List<Message> readAll(Herald node, ChannelName channel) {
        List<Message> all = new ArrayList<>();
        Position after = null;
        while (true) {
            Replay page = node.engine().history(channel, after, 1000);
            all.addAll(page.messages());
            if (page.complete()) {
                return all;
            }
            after = page.lastOr(after);
        }
    }

    private static int payloadNumber(Message m) {
        String text = m.payload().utf8();
        return Integer.parseInt(text.substring(text.indexOf(':') + 1, text.length() - 1));
    }
}
