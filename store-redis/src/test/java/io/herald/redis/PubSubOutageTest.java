package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.core.Herald;
import io.herald.core.Resume;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * The pub/sub connections are killed ({@code CLIENT KILL TYPE pubsub}) again and again while a node keeps
 * publishing: every live subscriber, on the publishing node and on another one, exact or pattern, still
 * ends with every message once, in order (the broker reconnects, resubscribes, and the engine re-reads
 * history), even for messages published while no node could subscribe at all. Runs on a Redis of its own,
 * since it kills every pub/sub connection of the server and changes its ACL.
 */
class PubSubOutageTest {

    private static final int PER_CHANNEL = 300;
    private static final int TAIL = 20;

    @Test
    void everyLiveSubscriberEndsWithTheFullSequence() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(null, false); Jedis admin = RedisTestSupport.admin(redis.url())) {
            String prefix = RedisTestSupport.uniquePrefix();
            Herald a = Nodes.start(redis.url(), prefix);
            Herald b = Nodes.start(redis.url(), prefix);
            try {
                List<ChannelName> channels = List.of(ChannelName.of("/outage/a"), ChannelName.of("/outage/b"), ChannelName.of("/outage/c"));
                Map<String, Nodes.Collecting> subscribers = Map.of(
                        "exact on the other node", new Nodes.Collecting(),
                        "exact on the publishing node", new Nodes.Collecting(),
                        "pattern on the other node", new Nodes.Collecting());
                for (ChannelName channel : channels) {
                    a.engine().subscribe(Principal.SERVER, channel, Resume.live(), subscribers.get("exact on the other node"));
                    b.engine().subscribe(Principal.SERVER, channel, Resume.live(), subscribers.get("exact on the publishing node"));
                }
                a.engine().subscribe(Principal.SERVER, ChannelName.of("/outage/*"), Resume.live(), subscribers.get("pattern on the other node"));

                AtomicInteger published = new AtomicInteger();
                Thread publisher = new Thread(() -> {
                    for (int n = 1; n <= PER_CHANNEL; n++) {
                        for (ChannelName channel : channels) {
                            b.publish(channel, "{\"n\":" + n + "}");
                        }
                        published.set(n);
                    }
                }, "publisher");
                publisher.start();
                List<Long> killed = new ArrayList<>();
                for (int round = 1; round <= 3; round++) {
                    int at = round * PER_CHANNEL / 4;
                    Awaitility.await("publishing reaches " + at).until(() -> published.get() >= at);
                    killed.add(admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)));
                }
                publisher.join(Duration.ofSeconds(30).toMillis());

                // The tail is published while no node can subscribe again (the ACL refuses SUBSCRIBE), so only
                // the resync after the reconnection can bring it: live delivery never sees it.
                // (Redis may already have dropped the subscribed connections when the ACL changed.)
                admin.aclSetUser("default", "-subscribe", "-psubscribe");
                admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
                for (int n = PER_CHANNEL + 1; n <= PER_CHANNEL + TAIL; n++) {
                    for (ChannelName channel : channels) {
                        b.publish(channel, "{\"n\":" + n + "}");
                    }
                }
                admin.aclSetUser("default", "+subscribe", "+psubscribe");

                assertThat(killed).as("pub/sub connections killed each round (one per node)").allSatisfy(n -> assertThat(n).isEqualTo(2L));
                List<String> expected = IntStream.rangeClosed(1, PER_CHANNEL + TAIL).mapToObj(n -> "{\"n\":" + n + "}").toList();
                subscribers.forEach((who, subscriber) -> {
                    for (ChannelName channel : channels) {
                        Awaitility.await(who + " receives all of " + channel).atMost(Duration.ofSeconds(20))
                                .until(() -> subscriber.messages(channel).size() >= PER_CHANNEL + TAIL);
                        assertThat(subscriber.payloads(channel)).as("what the subscriber %s received of %s", who, channel)
                                .isEqualTo(expected);
                    }
                    if (who.startsWith("pattern")) {
                        // After each outage the engine warns pattern subscribers that channels it had no feed
                        // for may have lost messages (it cannot list them); here every channel had a feed, so
                        // nothing was lost, and the warnings are about the pattern, never a channel.
                        assertThat(subscriber.gaps()).as("warnings to %s", who).allSatisfy(gap -> {
                            assertThat(gap.channel()).isEqualTo(ChannelName.of("/outage/*"));
                            assertThat(gap.reset()).isTrue();
                        });
                    } else {
                        assertThat(subscriber.gaps()).as("gaps reported to the subscriber %s", who).isEmpty();
                    }
                });
            } finally {
                a.stop();
                b.stop();
            }
        }
    }
}
