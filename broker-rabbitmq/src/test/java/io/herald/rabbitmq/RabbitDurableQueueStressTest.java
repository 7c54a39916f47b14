package io.herald.rabbitmq;

import static io.herald.rabbitmq.StompWire.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.stomp.StompTransportModule;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A durable subscriber on a durable RabbitMQ queue that comes and goes at random (seeded) while a publisher
 * runs on at a random pace, far past history (10): it takes a random number of messages per visit, acks a
 * random part of them, drops the connection, and is away for a random while. In the end it has had every
 * message, first deliveries in order, no gap notice, and nothing it had acked (confirmed by a receipt) came
 * again.
 */
class RabbitDurableQueueStressTest {

    private static final int TOTAL = 400;

    /** Records a frame the subscriber received; true for a message. */
    private static boolean received(StompWire.Frame f, int visit, Set<Integer> seen, List<Integer> firsts, Set<Integer> acked,
                                    List<String> problems) {
        if (!f.command().equals("MESSAGE")) {
            problems.add("visit " + visit + ": " + f);
            return false;
        }
        if (f.header("herald-missed") != null) {
            problems.add("visit " + visit + ": gap " + f.headers());
            return false;
        }
        int n = Integer.parseInt(f.body());
        if (acked.contains(n)) {
            problems.add("visit " + visit + ": " + n + " again after it was acked");
        }
        if (seen.add(n)) {
            firsts.add(n);
        }
        return true;
    }

    @Test
    void comingAndGoingAtRandomLosesNothing() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String run = RandomIds.next(10).toLowerCase();
        String destination = "/topic/stress." + run;
        String queue = "herald-test-dsub-stress-" + run;
        Settings settings = RabbitTestSupport.settings(Map.of(RabbitSettings.DURABLE_QUEUES.key(), "true",
                CoreSettings.HISTORY_SIZE.key(), "10", HttpSettings.PORT.key(), "0", HttpSettings.HOST.key(), "127.0.0.1"));
        Herald node = Herald.builder().settings(settings).broker(new RabbitBrokerModule(settings)).module(new HttpServerModule())
                .transport(new StompTransportModule(settings)).build().start();
        try {
            URI ws = URI.create("ws://127.0.0.1:" + node.injector().getInstance(HeraldHttpServer.class).uri().getPort() + "/stomp");
            Map<String, String> subscribe = headers("id", "s", "destination", destination, "durable", "true", "auto-delete", "false",
                    "ack", "client-individual", "prefetch-count", "25", "x-queue-name", queue);
            try (StompWire first = StompWire.connected(ws)) {
                first.sendAndAwaitReceipt("SUBSCRIBE", subscribe, "");
                first.drop();
            }
            long publisherSeed = random.nextLong();
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                Random pace = new Random(publisherSeed);
                try (StompWire p = StompWire.connected(ws)) {
                    for (int i = 1; i <= TOTAL; i++) {
                        p.sendAndAwaitReceipt("SEND", headers("destination", destination), String.valueOf(i));
                        if (pace.nextInt(10) == 0) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pace.nextInt(20)));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            List<Integer> firsts = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            Set<Integer> acked = new HashSet<>();
            List<String> problems = new ArrayList<>();
            int visits = 0;
            // A deadline, so that messages that never come fail the run (with its seed) instead of hanging it.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (seen.size() < TOTAL && visits < 500 && System.nanoTime() < deadline) {
                visits++;
                boolean last = publisher.isDone();
                int take = last ? Integer.MAX_VALUE : 1 + random.nextInt(40);
                try (StompWire sub = StompWire.connected(ws)) {
                    sub.send("SUBSCRIBE", subscribe, "");
                    List<StompWire.Frame> got = new ArrayList<>();
                    StompWire.Frame f;
                    while (got.size() < take && seen.size() < TOTAL && (f = sub.poll(Duration.ofMillis(last ? 3000 : 300))) != null) {
                        if (received(f, visits, seen, firsts, acked, problems)) {
                            got.add(f);
                        }
                    }
                    List<Integer> ackedNow = new ArrayList<>();
                    for (StompWire.Frame m : got) {
                        if (last || random.nextInt(4) != 0) {
                            sub.send("ACK", headers("id", m.header("ack")), "");
                            ackedNow.add(Integer.parseInt(m.body()));
                        }
                    }
                    // A receipt after the ACKs: they were all applied before it (frames are handled in order). What
                    // arrives meanwhile was received, and not acked.
                    sub.send("ACK", headers("id", "0-gap", "receipt", "acks-" + visits), "");
                    while (!(f = sub.next()).command().equals("RECEIPT")) {
                        received(f, visits, seen, firsts, acked, problems);
                    }
                    acked.addAll(ackedNow);
                    sub.drop();
                }
                if (!publisher.isDone() && random.nextInt(3) == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(200))); // away for a while
                }
            }
            publisher.get(60, TimeUnit.SECONDS);
            String why = "seed " + seed + ", " + visits + " visits";
            assertThat(problems).as(why).isEmpty();
            assertThat(firsts).as("first deliveries, in order, all of them (%s)", why)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, TOTAL).boxed().toList());
        } finally {
            node.stop();
            try (var amqp = RabbitSettings.from(RabbitTestSupport.settings(Map.of())).connectionFactory().newConnection();
                 Channel ch = amqp.createChannel()) {
                ch.queueDelete(queue);
            }
        }
    }
}
