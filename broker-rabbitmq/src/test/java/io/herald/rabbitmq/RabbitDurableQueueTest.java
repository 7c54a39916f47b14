package io.herald.rabbitmq;

import static io.herald.rabbitmq.StompWire.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import io.herald.stomp.StompTransportModule;
import io.herald.testkit.TestEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable STOMP subscriptions backed by durable per-subscription RabbitMQ queues ({@code rabbitmq.durable-queues}),
 * end to end against the real RabbitMQ, with a STOMP client over WebSocket: a subscriber away while more
 * messages than history keeps are published gets every one of them, once, in order, when it comes back, where
 * the same absence without the mode gives a gap; UNSUBSCRIBE with {@code durable:true} and session expiry
 * delete the queue; an invalid {@code x-queue-name} is refused with an ERROR and declares nothing.
 */
class RabbitDurableQueueTest {

    private static final int HISTORY = 20;
    private static final int FIRST = 5;
    private static final int AWAY = 3 * HISTORY;

    private final TestEnvironment env = TestEnvironment.fromEnvironment();
    private final String run = RandomIds.next(10).toLowerCase();
    private final String destination = "/topic/orders." + run;
    private final String queue = "herald-test-dsub-" + run;
    private final List<Herald> nodes = new ArrayList<>();
    private Connection amqp;

    @BeforeEach
    void connect() throws Exception {
        amqp = RabbitSettings.from(RabbitTestSupport.settings(Map.of())).connectionFactory().newConnection("herald-test-inspector");
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.forEach(Herald::stop);
        try (Channel ch = amqp.createChannel()) {
            ch.queueDelete(queue);
        }
        amqp.close();
    }

    private URI node(boolean durableQueues, String sessionTtl) {
        Map<String, String> values = new HashMap<>();
        values.put(RabbitSettings.DURABLE_QUEUES.key(), String.valueOf(durableQueues));
        values.put(CoreSettings.HISTORY_SIZE.key(), String.valueOf(HISTORY));
        values.put(CoreSettings.SESSION_TTL.key(), sessionTtl);
        values.put(HttpSettings.PORT.key(), "0");
        values.put(HttpSettings.HOST.key(), "127.0.0.1");
        Settings settings = RabbitTestSupport.settings(values);
        Herald node = Herald.builder().settings(settings).broker(new RabbitBrokerModule(settings)).module(new HttpServerModule())
                .transport(new StompTransportModule(settings)).build().start();
        nodes.add(node);
        return URI.create("ws://127.0.0.1:" + node.injector().getInstance(HeraldHttpServer.class).uri().getPort() + "/stomp");
    }

    private Map<String, String> durableSubscribe(String queueName) {
        Map<String, String> h = headers("id", "sub-0", "destination", destination, "durable", "true", "auto-delete", "false",
                "ack", "client-individual");
        if (queueName != null) {
            h.put("x-queue-name", queueName);
        }
        return h;
    }

    /** Ready messages in {@code name}, or -1 when there is no such queue. */
    private int depth(String name) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(name).getMessageCount();
        } catch (java.io.IOException e) {
            return -1; // 404 NOT_FOUND closed the channel
        }
    }

    private void publish(URI ws, int from, int to) throws Exception {
        try (StompWire publisher = StompWire.connected(ws)) {
            for (int i = from; i <= to; i++) {
                publisher.sendAndAwaitReceipt("SEND", headers("destination", destination, "content-type", "text/plain"), String.valueOf(i));
            }
        }
    }

    /** Takes {@code count} MESSAGE frames, acking each (client-individual), the last with a receipt. */
    private List<StompWire.Frame> takeAndAck(StompWire subscriber, int count) throws Exception {
        List<StompWire.Frame> got = new ArrayList<>();
        while (got.size() < count) {
            StompWire.Frame f = subscriber.next();
            assertThat(f.command()).as("%s after %s messages", f, got.size()).isEqualTo("MESSAGE");
            got.add(f);
            subscriber.send("ACK", headers("id", f.header("ack")), "");
        }
        subscriber.sendAndAwaitReceipt("ACK", headers("id", got.get(got.size() - 1).header("ack")), "");
        return got;
    }

    /**
     * The scenario: a durable subscriber takes and acks {@value #FIRST} messages and goes away; {@value #AWAY}
     * more (three times history) are published; it comes back. Returns the connected subscriber and what the
     * first frames after its return are: everything, when nothing is missed.
     */
    private List<StompWire.Frame> awayBeyondHistory(URI ws, String queueName, StompWire[] back) throws Exception {
        try (StompWire subscriber = StompWire.connected(ws)) {
            subscriber.sendAndAwaitReceipt("SUBSCRIBE", durableSubscribe(queueName), "");
            publish(ws, 1, FIRST);
            assertThat(takeAndAck(subscriber, FIRST)).extracting(StompWire.Frame::body)
                    .containsExactly(IntStream.rangeClosed(1, FIRST).mapToObj(String::valueOf).toArray(String[]::new));
            subscriber.drop();
        }
        publish(ws, FIRST + 1, FIRST + AWAY);
        back[0] = StompWire.connected(ws);
        // No receipt: the catch-up starts while SUBSCRIBE is handled, so messages may come before a RECEIPT would.
        back[0].send("SUBSCRIBE", durableSubscribe(queueName), "");
        List<StompWire.Frame> frames = new ArrayList<>();
        StompWire.Frame f;
        // Until the last message arrives (or nothing more comes: then the assertions say what is missing).
        while ((f = back[0].poll(Duration.ofSeconds(5))) != null) {
            frames.add(f);
            if (f.header("ack") != null) {
                back[0].send("ACK", headers("id", f.header("ack")), "");
            }
            if (String.valueOf(FIRST + AWAY).equals(f.body())) {
                break;
            }
        }
        return frames;
    }

    private static String[] bodies(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(String::valueOf).toArray(String[]::new);
    }

    @Test
    void aSubscriberAwayLongerThanHistoryGetsEveryMessageOnceInOrderFromItsQueue() throws Exception {
        URI ws = node(true, "300s");
        StompWire[] back = new StompWire[1];
        List<StompWire.Frame> frames = awayBeyondHistory(ws, queue, back);
        try (StompWire subscriber = back[0]) {
            assertThat(frames).as("no gap notice").noneMatch(f -> f.header("herald-missed") != null);
            assertThat(frames).extracting(StompWire.Frame::body).as("every message published while away, once, in order")
                    .containsExactly(bodies(FIRST + 1, FIRST + AWAY));
            assertThat(subscriber.poll(Duration.ofMillis(300))).as("nothing more (no duplicate)").isNull();
            // Everything acked: the queue lets it all go.
            subscriber.sendAndAwaitReceipt("ACK", headers("id", frames.get(frames.size() - 1).header("ack")), "");
            env.await("the queue empties once everything is acked").until(() -> depth(queue) == 0);
            // Live messages go on, and through the queue too.
            publish(ws, FIRST + AWAY + 1, FIRST + AWAY + 3);
            assertThat(takeAndAck(subscriber, 3)).extracting(StompWire.Frame::body).containsExactly(bodies(FIRST + AWAY + 1, FIRST + AWAY + 3));
            env.await("the queue lets acked live messages go").until(() -> depth(queue) == 0);

            // UNSUBSCRIBE with the durable header ends the durable subscription: its queue goes.
            subscriber.sendAndAwaitReceipt("UNSUBSCRIBE", headers("id", "sub-0", "durable", "true", "auto-delete", "false"), "");
            assertThat(depth(queue)).as("queue after UNSUBSCRIBE durable:true").isEqualTo(-1);
        }
    }

    @Test
    void withoutDurableQueuesTheSameAbsenceGivesAGap() throws Exception {
        URI ws = node(false, "300s");
        StompWire[] back = new StompWire[1];
        List<StompWire.Frame> frames = awayBeyondHistory(ws, queue, back);
        try (StompWire subscriber = back[0]) {
            assertThat(frames.get(0).header("herald-missed")).as("a gap notice first: %s", frames.get(0)).isNotNull();
            assertThat(frames.get(0).header("herald-missed")).isEqualTo(String.valueOf(AWAY - HISTORY));
            assertThat(frames.subList(1, frames.size())).extracting(StompWire.Frame::body).as("only what history still holds")
                    .containsExactly(bodies(FIRST + AWAY - HISTORY + 1, FIRST + AWAY));
            assertThat(depth(queue)).as("no queue is declared without the mode").isEqualTo(-1);
        }
    }

    @Test
    void theDefaultQueueNameWorksToo() throws Exception {
        URI ws = node(true, "300s");
        StompWire[] back = new StompWire[1];
        List<StompWire.Frame> frames = awayBeyondHistory(ws, null, back);
        try (StompWire subscriber = back[0]) {
            assertThat(frames).noneMatch(f -> f.header("herald-missed") != null);
            assertThat(frames).extracting(StompWire.Frame::body).containsExactly(bodies(FIRST + 1, FIRST + AWAY));
            subscriber.sendAndAwaitReceipt("UNSUBSCRIBE", headers("id", "sub-0", "durable", "true"), "");
        }
    }

    @Test
    void anInvalidQueueNameIsRefusedWithAnErrorAndNothingIsDeclared() throws Exception {
        URI ws = node(true, "300s");
        String reserved = "amq.herald-test-" + run;
        try (StompWire subscriber = StompWire.connected(ws)) {
            subscriber.send("SUBSCRIBE", durableSubscribe(reserved), "");
            StompWire.Frame error = subscriber.next();
            assertThat(error.command()).as("%s", error).isEqualTo("ERROR");
            assertThat(error.header("message")).contains("x-queue-name").contains("reserved");
        }
        assertThat(depth(reserved)).as("nothing declared under the refused name").isEqualTo(-1);
        String tooLong = "q".repeat(256);
        try (StompWire subscriber = StompWire.connected(ws)) {
            subscriber.send("SUBSCRIBE", durableSubscribe(tooLong), "");
            StompWire.Frame error = subscriber.next();
            assertThat(error.command()).as("%s", error).isEqualTo("ERROR");
            assertThat(error.header("message")).contains("255 bytes");
        }
        // The refusals left nothing behind: the same subscription with a good name works.
        try (StompWire subscriber = StompWire.connected(ws)) {
            subscriber.sendAndAwaitReceipt("SUBSCRIBE", durableSubscribe(queue), "");
            assertThat(depth(queue)).isZero();
        }
    }

    @Test
    void theQueueIsDeletedWhenTheSessionExpires() throws Exception {
        URI ws = node(true, "1s");
        try (StompWire subscriber = StompWire.connected(ws)) {
            subscriber.sendAndAwaitReceipt("SUBSCRIBE", durableSubscribe(queue), "");
            assertThat(depth(queue)).isZero();
            subscriber.drop();
        }
        env.await("the queue is deleted once the durable subscription's session expired").until(() -> depth(queue) == -1);
    }
}
