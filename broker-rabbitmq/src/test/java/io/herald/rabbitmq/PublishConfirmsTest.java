package io.herald.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.StoreException;
import io.herald.core.RandomIds;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link PublishConfirms} on a real RabbitMQ channel: confirms are pipelined, and each way a confirm can fail
 * to come (the channel closed by RabbitMQ, no confirm in time) fails the publish with an error naming its
 * channel and position, never leaving it hanging.
 */
@DisplayName("publisher confirms")
class PublishConfirmsTest {

    private Connection connection;
    private final ChannelName channel = ChannelName.of("/confirms-" + RandomIds.next(6) + "/room");

    @BeforeEach
    void connect() throws Exception {
        connection = RabbitSettings.from(RabbitTestSupport.settings(java.util.Map.of())).connectionFactory().newConnection("herald-confirms-test");
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    private PublishConfirms confirming(Channel ch, Duration timeout) throws Exception {
        ch.confirmSelect();
        PublishConfirms confirms = new PublishConfirms(ch, timeout.toNanos());
        ch.addConfirmListener(confirms);
        ch.addShutdownListener(cause -> confirms.channelLost("the channel to RabbitMQ closed (" + RabbitBroker.describe(cause) + ")"));
        return confirms;
    }

    private Message message(long offset) {
        return Message.of(Publication.json(channel, "{\"n\":" + offset + "}"), new Position("confirmtest1", offset), "m" + offset,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    @DisplayName("5,000 publishes are all in flight at once and all confirmed")
    void pipelined() throws Exception {
        Channel ch = connection.createChannel();
        ch.exchangeDeclare(RabbitTestSupport.EXCHANGE, "topic", true);
        PublishConfirms confirms = confirming(ch, Duration.ofSeconds(10));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        int mostOutstanding = 0;
        for (int i = 1; i <= 5000; i++) {
            futures.add(confirms.publish(RabbitTestSupport.EXCHANGE, message(i)));
            mostOutstanding = Math.max(mostOutstanding, confirms.outstanding());
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(mostOutstanding).as("confirms outstanding at once while publishing (1 would be a round trip per message)").isGreaterThan(1);
        assertThat(confirms.outstanding()).as("confirms outstanding after all completed").isZero();
    }

    @Test
    @DisplayName("publishes RabbitMQ refuses (the exchange does not exist: it closes the channel) all fail clearly, later ones at once")
    void channelClosedByRabbitmq() throws Exception {
        Channel ch = connection.createChannel();
        PublishConfirms confirms = confirming(ch, Duration.ofSeconds(10));
        String missing = "herald.missing-" + RandomIds.next(6);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            futures.add(confirms.publish(missing, message(i)));
        }
        Awaitility.await("every publish to a missing exchange settles").until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < futures.size(); i++) {
            Position position = new Position("confirmtest1", i + 1);
            assertThat(futures.get(i)).as("publish at %s", position).isCompletedExceptionally();
            assertThat(cause(futures.get(i))).isInstanceOf(StoreException.class).hasMessageStartingWith("publish of " + channel + " at " + position)
                    .hasMessageContaining("not confirmed");
        }
        assertThat(cause(futures.get(0))).as("the first refusal says why").hasMessageContaining("NOT_FOUND");
        CompletableFuture<Void> later = confirms.publish(missing, message(101));
        assertThat(later).as("a publish on the closed channel").isCompletedExceptionally();
        assertThat(cause(later)).hasMessageContaining("closed");
    }

    @Test
    @DisplayName("a publish RabbitMQ never confirms fails once the timeout passed")
    void timeout() throws Exception {
        // A channel not in confirm mode never sends a confirm: exactly the broker that went silent.
        Channel ch = connection.createChannel();
        ch.exchangeDeclare(RabbitTestSupport.EXCHANGE, "topic", true);
        PublishConfirms confirms = new PublishConfirms(ch, Duration.ofMillis(1000).toNanos());
        CompletableFuture<Void> future = confirms.publish(RabbitTestSupport.EXCHANGE, message(1));
        confirms.expire();
        assertThat(future).as("right after publishing, within the timeout").isNotDone();
        Awaitility.await("the publish fails after the timeout").until(() -> {
            confirms.expire();
            return future.isDone();
        });
        assertThat(cause(future)).isInstanceOf(StoreException.class)
                .hasMessageStartingWith("publish of " + channel + " at confirmtest1:1 (id m1) not confirmed: RabbitMQ did not confirm it within 1000 ms");
    }

    private static Throwable cause(CompletableFuture<Void> future) {
        try {
            future.join();
            throw new AssertionError("completed normally");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
