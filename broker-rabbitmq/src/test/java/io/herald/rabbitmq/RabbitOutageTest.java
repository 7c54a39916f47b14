package io.herald.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.StoreException;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.Resume;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two Herald nodes, Redis as history and RabbitMQ as broker, at least 10,000 publishes spread over both while RabbitMQ
 * fails under them: either every connection of both nodes is closed by the server (what
 * {@code rabbitmqctl close_all_connections} does, limited to these nodes so other tests using RabbitMQ
 * meanwhile are not disturbed), or the RabbitMQ application is stopped and started again. Publishers see a
 * clear error for each message RabbitMQ did not confirm and no other error; the subscriber on each node ends
 * with every confirmed message, once each, in position order, without a gap.
 */
@DisplayName("RabbitMQ failing during 10,000 publishes over two nodes")
class RabbitOutageTest {

    private static final int TOTAL = 10_000;
    private static final int WINDOW = 64;

    enum Outage {
        CONNECTIONS_CLOSED, RABBITMQ_RESTARTED
    }

    @AfterAll
    static void rabbitmqIsLeftRunning() {
        // Whatever happened, the next tests (and transport-stomp's Web-STOMP ones) find RabbitMQ up.
        Rabbitmqctl.startApp();
        Awaitility.await("RabbitMQ's Web-STOMP listener on 127.0.0.1:15674 is back").atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(java.io.IOException.class).until(() -> {
                    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", 15674)) {
                        return socket.isConnected();
                    }
                });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Outage.class)
    @DisplayName("publishers get a clear error for each unconfirmed message, subscribers get every confirmed one once, in order")
    void noSilentLoss(Outage outage) throws Exception {
        String prefix = RabbitNodes.prefix();
        Herald a = RabbitNodes.start(prefix);
        Herald b = RabbitNodes.start(prefix);
        ChannelName channel = ChannelName.of("/outage-" + RandomIds.next(8) + "/room");
        try {
            RabbitNodes.Collecting onA = new RabbitNodes.Collecting();
            RabbitNodes.Collecting onB = new RabbitNodes.Collecting();
            a.engine().subscribe(Principal.SERVER, channel, Resume.live(), onA);
            b.engine().subscribe(Principal.SERVER, channel, Resume.live(), onB);

            Map<String, Message> confirmed = new ConcurrentHashMap<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicLong attempts = new AtomicLong();
            AtomicBoolean publishing = new AtomicBoolean(true);
            List<Thread> publishers = new ArrayList<>();
            for (Herald node : List.of(a, b)) {
                String name = node == a ? "a" : "b";
                Thread t = new Thread(() -> publish(node, name, channel, publishing, confirmed, failures, attempts), "publisher-" + name);
                publishers.add(t);
                t.start();
            }

            Awaitility.await("2,000 publishes confirmed before the outage").atMost(Duration.ofSeconds(60)).until(() -> confirmed.size() >= 2000);
            if (outage == Outage.CONNECTIONS_CLOSED) {
                int closed = Rabbitmqctl.closeConnections(RabbitNodes.broker(a).connectionName())
                        + Rabbitmqctl.closeConnections(RabbitNodes.broker(b).connectionName());
                assertThat(closed).as("connections of the two nodes closed by RabbitMQ").isEqualTo(2);
                Awaitility.await("a publish fails after the connections were closed").atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
            } else {
                Rabbitmqctl.stopApp();
                Awaitility.await("a publish fails while RabbitMQ is stopped").atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
                Rabbitmqctl.startApp();
            }
            Awaitility.await("both nodes recovered").atMost(Duration.ofSeconds(60))
                    .until(() -> RabbitNodes.broker(a).problem() == null && RabbitNodes.broker(b).problem() == null);
            int before = confirmed.size();
            Awaitility.await(TOTAL + " publishes, 2,000 confirmed after the recovery").atMost(Duration.ofSeconds(120))
                    .until(() -> attempts.get() >= TOTAL && confirmed.size() >= before + 2000);
            publishing.set(false);
            for (Thread t : publishers) {
                t.join(Duration.ofSeconds(60).toMillis());
                assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
            }

            assertThat(confirmed.size() + failures.size()).as("publishes settled, confirmed or failed").isEqualTo(attempts.get());
            assertThat(failures).as("publishes that failed when RabbitMQ went away").isNotEmpty();
            assertThat(failures).as("what the publishers were told").allSatisfy(e -> {
                assertThat(e).isInstanceOf(StoreException.class);
                assertThat(e.getMessage()).startsWith("publish of " + channel + " at ").contains("not confirmed: ");
            });

            List<Message> history = RabbitNodes.history(b, channel);
            for (Message m : confirmed.values()) {
                assertThat(history.get((int) m.offset() - 1)).as("confirmed message %s in history", m.position()).isEqualTo(m);
            }
            for (RabbitNodes.Collecting subscriber : List.of(onA, onB)) {
                String who = subscriber == onA ? "the subscriber on node A" : "the subscriber on node B";
                Awaitility.await(who + " has every confirmed message").atMost(Duration.ofSeconds(60))
                        .until(() -> subscriber.messages().containsAll(confirmed.values()));
                List<Message> received = subscriber.messages();
                assertThat(received).as("what %s received: history, in order, each once", who)
                        .isEqualTo(history.subList(0, received.size()));
                assertThat(subscriber.gaps()).as("gaps reported to %s", who).isEmpty();
            }
        } finally {
            a.stop();
            b.stop();
        }
    }

    /** Publishes until told to stop, {@value #WINDOW} in flight; after a failure, waits for the broker to be back. */
    private static void publish(Herald node, String name, ChannelName channel, AtomicBoolean publishing, Map<String, Message> confirmed,
                                List<Throwable> failures, AtomicLong attempts) {
        Semaphore window = new Semaphore(WINDOW);
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Message>> all = new ArrayList<>();
        for (int n = 1; publishing.get(); n++) {
            window.acquireUninterruptibly();
            attempts.incrementAndGet();
            CompletableFuture<Message> f = node.engine().publishAsync(Principal.SERVER,
                    Publication.json(channel, "{\"node\":\"" + name + "\",\"n\":" + n + "}"));
            // Waited for below as the bookkeeping stage, not f: a future's dependents run last-registered first, so
            // waiting on f itself could return before this stage counted it.
            all.add(f.whenComplete((m, e) -> {
                if (e == null) {
                    confirmed.put(m.id(), m);
                } else {
                    failures.add(e instanceof java.util.concurrent.CompletionException c ? c.getCause() : e);
                    failed.incrementAndGet();
                }
                window.release();
            }));
            if (failed.get() > 0) {
                // A publisher backs off until the broker is back rather than failing its whole backlog.
                Awaitility.await(name + " sees RabbitMQ back").atMost(Duration.ofSeconds(60))
                        .until(() -> RabbitNodes.broker(node).problem() == null);
                failed.set(0);
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
    }
}
