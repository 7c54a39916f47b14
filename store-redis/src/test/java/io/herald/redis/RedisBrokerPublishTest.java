package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.testkit.contract.RecordingListener;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@link RedisBroker#publish} for messages another store positioned: a PUBLISH that Redis refuses is not
 * thrown at the publisher, whose message is already stored; this node's listeners are told to resync from
 * history instead (the Broker contract: a broker may lose messages, but must say so). Runs on a private
 * Redis, since it changes the server's ACL.
 */
class RedisBrokerPublishTest {

    private static final ChannelName NEWS = ChannelName.of("/publish/news");

    private static Message message(long offset) {
        return Message.of(Publication.json(NEWS, "{\"n\":" + offset + "}"), new Position("elsewhere", offset),
                "id-" + offset, Instant.ofEpochMilli(1_700_000_000_000L + offset));
    }

    @Test
    void aRefusedPublishIsNotThrownAndListenersAreToldToResync() {
        try (PrivateRedis redis = PrivateRedis.start(null, false); Jedis admin = RedisTestSupport.admin(redis.url())) {
            RedisBroker broker = new RedisBroker(RedisTestSupport.options(redis.url(), "p:"), new RedisKeys("p:", 0));
            broker.start();
            try {
                RecordingListener listener = new RecordingListener();
                broker.subscribe(NEWS, listener);
                broker.publish(message(1));
                await().until(() -> listener.messages().size() == 1);
                assertThat(listener.messages().get(0)).as("the message as it was positioned elsewhere, id included").isEqualTo(message(1));

                admin.aclSetUser("default", "-publish");
                assertThatCode(() -> broker.publish(message(2))).doesNotThrowAnyException();
                await().until(() -> listener.resyncs() >= 1);

                admin.aclSetUser("default", "+publish");
                broker.publish(message(3));
                await().until(() -> listener.messages().contains(message(3)));
                assertThat(listener.messages()).doesNotContain(message(2));
            } finally {
                broker.stop();
            }
        }
    }
}
