package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.api.StoreException;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A master of the Redis Cluster is SIGKILLed while two nodes keep publishing to channels on every master; its
 * replica takes over, then the killed server is started again and rejoins (a shard restart). Every
 * subscriber, exact or pattern, on the publishing node and the other, must end with every message whose
 * publish was confirmed, or an explicit gap covering it: never a silent loss, never a message twice, never one
 * position standing for two messages. (The replica's copy may lack the last writes its master confirmed:
 * history written by a master that was replaced counts as lost and its channels get a reset.)
 */
@ExtendWith(RedisCluster.Shared.class)
class RedisClusterFailoverTest {

    private static final int CHANNELS = 6;

    @Test
    void subscribersGetEveryConfirmedMessageOrAnExplicitGapAcrossAFailoverAndAShardRestart() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        String prefix = RedisTestSupport.uniquePrefix();
        List<ChannelName> channels = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            channels.add(ChannelName.of("/failover/c" + i));
        }
        RedisKeys keys = RedisTestSupport.keys(cluster.url(), prefix);
        int victimSlot = ClusterSlots.slotOf(keys.meta(channels.get(0)));
        int victim = cluster.masterOf(victimSlot);
        long onVictim = channels.stream().filter(c -> cluster.masterOf(ClusterSlots.slotOf(keys.meta(c))) == victim).count();
        assertThat(onVictim).as("channels on the master to be killed (port %d)", victim).isBetween(1L, (long) CHANNELS - 1);

        Herald a = Nodes.start(cluster.url(), prefix);
        Herald b = Nodes.start(cluster.url(), prefix);
        Map<String, Recording> subscribers = new LinkedHashMap<>();
        subscribers.put("exact on the other node", new Recording());
        subscribers.put("exact on the publishing node", new Recording());
        subscribers.put("pattern on the other node", new Recording());
        Map<ChannelName, Map<Position, String>> confirmed = new ConcurrentHashMap<>();
        Map<ChannelName, Position> lastConfirmed = new ConcurrentHashMap<>();
        Map<ChannelName, List<String>> epochs = new ConcurrentHashMap<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        List<Thread> publishers = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        try {
            for (ChannelName channel : channels) {
                a.engine().subscribe(Principal.SERVER, channel, Resume.live(), subscribers.get("exact on the other node"));
                b.engine().subscribe(Principal.SERVER, channel, Resume.live(), subscribers.get("exact on the publishing node"));
                confirmed.put(channel, new ConcurrentHashMap<>());
            }
            a.engine().subscribe(Principal.SERVER, ChannelName.of("/failover/*"), Resume.live(), subscribers.get("pattern on the other node"));

            for (ChannelName channel : channels) {
                Thread publisher = new Thread(() -> {
                    for (int n = 1; publishing.get(); n++) {
                        String payload = "{\"n\":" + n + "}";
                        try {
                            Position position = b.publish(channel, payload).position();
                            confirmed.get(channel).put(position, payload);
                            Position previous = lastConfirmed.put(channel, position);
                            if (previous == null || !previous.sameEpoch(position)) {
                                epochs.computeIfAbsent(channel, c -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                        .add(previous + " -> " + position + " at " + System.currentTimeMillis() % 100000);
                            }
                        } catch (StoreException e) {
                            failures.incrementAndGet();
                            pace(); // the shard is failing over: try again shortly, not in a tight loop
                        }
                    }
                }, "publisher " + channel);
                publishers.add(publisher);
                publisher.start();
            }
            awaitEach(confirmed, 100, "publishing before the kill");

            cluster.kill(victim);
            Awaitility.await("a replica of port " + victim + " takes over slot " + victimSlot).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> cluster.masterOf(victimSlot) != victim);
            cluster.awaitHealthy();
            Map<ChannelName, Integer> atFailover = sizes(confirmed);
            awaitEach(confirmed, atFailover, 100, "publishing after the failover");

            cluster.restart(victim);
            Map<ChannelName, Integer> atRestart = sizes(confirmed);
            awaitEach(confirmed, atRestart, 50, "publishing after the killed master rejoined");
        } finally {
            publishing.set(false);
            for (Thread t : publishers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        try {
            for (Map.Entry<String, Recording> e : subscribers.entrySet()) {
                for (ChannelName channel : channels) {
                    Position last = lastConfirmed.get(channel);
                    // The description is built when the check fails, so that it shows what had come by then.
                    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(e.getValue().received(channel, last))
                            .as(() -> e.getKey() + " receives the last confirmed message " + last + " of " + channel + " (got "
                                    + e.getValue().summary(channel) + "; epochs confirmed " + epochs.get(channel) + ")").isTrue());
                    e.getValue().check(e.getKey(), channel, confirmed.get(channel));
                }
            }
        } finally {
            a.stop();
            b.stop();
            RedisTestSupport.deleteClusterKeys(cluster.ports(), prefix);
        }
        System.out.printf("failover: %d channels (%d on the killed master), %s publishes confirmed, %d failed meanwhile; gaps %s%n",
                CHANNELS, onVictim, sizes(confirmed), failures.get(), subscribers.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().gaps()).toList());
    }

    /**
     * The takeover itself, without waiting for a write to be lost on the way (rare on this machine): the
     * channel's meta names another master's replication id, as after a replica with an incomplete copy took
     * over. The history counts as lost: a new epoch, offsets from 1, a reset for a position from before, so
     * that no offset is given to a second message.
     */
    @Test
    void historyLastWrittenByAReplacedMasterStartsANewEpoch() {
        RedisCluster cluster = RedisCluster.shared();
        String prefix = RedisTestSupport.uniquePrefix();
        RedisPool pool = RedisTestSupport.startedPool(cluster.url(), prefix);
        try {
            RedisKeys keys = RedisTestSupport.keys(cluster.url(), prefix);
            RedisHistoryStore history = new RedisHistoryStore(pool, keys, Retention.Policy.uniform(Retention.DEFAULT));
            ChannelName channel = ChannelName.of("/takeover/room");
            Position before = null;
            for (int n = 1; n <= 3; n++) {
                before = history.append(Publication.json(channel, "{\"n\":" + n + "}")).position();
            }
            assertThat(history.head(channel)).as("head before the takeover").isEqualTo(before);

            pool.call(c -> c.hset(keys.meta(channel), "r".getBytes(StandardCharsets.UTF_8), "0".repeat(40).getBytes(StandardCharsets.UTF_8)),
                    "make " + channel + " look written by a replaced master");
            Position after = history.append(Publication.json(channel, "{\"n\":4}")).position();
            assertThat(after.epoch()).as("epoch after the takeover").isNotEqualTo(before.epoch());
            assertThat(after.offset()).as("offset of the first message after the takeover").isEqualTo(1);
            Replay replay = history.replay(channel, before, 10);
            assertThat(replay.gap()).as("what a subscriber at %s is told", before).isNotNull()
                    .satisfies(g -> assertThat(g.reset()).isTrue()).satisfies(g -> assertThat(g.epoch()).isEqualTo(after.epoch()));
            assertThat(history.replay(channel, null, 10).messages()).extracting(m -> m.payload().utf8()).as("history after the takeover")
                    .containsExactly("{\"n\":4}");
            assertThat(history.head(channel)).as("head read after the takeover: the new master's history holds").isEqualTo(after);
        } finally {
            pool.stop();
            RedisTestSupport.deleteClusterKeys(cluster.ports(), prefix);
        }
    }

    /**
     * The broker across a failover, and a channel whose first message the killed master may take with it:
     * a listener subscribed before the kill gets, after its resync, what the promoted replica publishes, and
     * no position ever names two different messages (were the lost message's epoch taken again, its offset 1
     * would name the first message published after the failover too).
     */
    @Test
    void theBrokerFollowsAFailoverAndAPositionNeverNamesTwoMessages() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        String prefix = RedisTestSupport.uniquePrefix();
        RedisKeys keys = RedisTestSupport.keys(cluster.url(), prefix);
        ChannelName channel = ChannelName.of("/takeover/fresh");
        int slot = ClusterSlots.slotOf(keys.meta(channel));
        int victim = cluster.masterOf(slot);
        RedisBroker broker = new RedisBroker(RedisTestSupport.options(cluster.url(), prefix), keys);
        RedisPool pool = RedisTestSupport.startedPool(cluster.url(), prefix);
        broker.start();
        try {
            Map<Position, String> received = new ConcurrentHashMap<>();
            List<String> twice = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicInteger resyncs = new AtomicInteger();
            broker.subscribe(channel, new io.herald.api.Broker.Listener() {
                @Override
                public void onMessage(Message m) {
                    String before = received.putIfAbsent(m.position(), m.payload().utf8());
                    if (before != null) {
                        twice.add(m.position() + " named " + before + " and " + m.payload().utf8());
                    }
                }

                @Override
                public void onResync() {
                    resyncs.incrementAndGet();
                }
            });
            RedisHistoryStore history = new RedisHistoryStore(pool, keys, Retention.Policy.uniform(Retention.DEFAULT));
            Position first = history.append(Publication.json(channel, "{\"n\":1}")).position();
            Awaitility.await("the first message arrives live").until(() -> received.containsKey(first));

            cluster.kill(victim);
            Awaitility.await("a replica of port " + victim + " takes over slot " + slot).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> cluster.masterOf(slot) != victim);
            cluster.awaitHealthy();
            Awaitility.await("the broker resyncs its listener after the failover").atMost(Duration.ofSeconds(30)).until(() -> resyncs.get() > 0);
            List<Position> after = new ArrayList<>();
            for (int n = 2; n <= 20; n++) {
                after.add(history.append(Publication.json(channel, "{\"n\":" + n + "}")).position());
            }
            Awaitility.await("what the promoted replica publishes arrives live").atMost(Duration.ofSeconds(10))
                    .until(() -> received.keySet().containsAll(after));
            assertThat(twice).as("positions that named two messages").isEmpty();
            System.out.printf("takeover: first message %s, after the failover %s..%s%n", first, after.get(0), after.get(after.size() - 1));
        } finally {
            broker.stop();
            pool.stop();
            cluster.restart(victim);
            RedisTestSupport.deleteClusterKeys(cluster.ports(), prefix);
        }
    }

    private static void pace() {
        try {
            TimeUnit.MILLISECONDS.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<ChannelName, Integer> sizes(Map<ChannelName, Map<Position, String>> confirmed) {
        Map<ChannelName, Integer> sizes = new LinkedHashMap<>();
        confirmed.forEach((c, m) -> sizes.put(c, m.size()));
        return sizes;
    }

    private static void awaitEach(Map<ChannelName, Map<Position, String>> confirmed, int count, String what) {
        Map<ChannelName, Integer> none = new LinkedHashMap<>();
        confirmed.keySet().forEach(c -> none.put(c, 0));
        awaitEach(confirmed, none, count, what);
    }

    private static void awaitEach(Map<ChannelName, Map<Position, String>> confirmed, Map<ChannelName, Integer> from, int more, String what) {
        Awaitility.await(what + ": " + more + " more confirmed on every channel").atMost(Duration.ofSeconds(60))
                .until(() -> confirmed.entrySet().stream().allMatch(e -> e.getValue().size() >= from.get(e.getKey()) + more));
    }

    /** What a subscriber got, messages and gaps in the order they came, by channel. */
    private static final class Recording implements Subscriber {
        private final Map<ChannelName, List<Object>> events = new ConcurrentHashMap<>();

        @Override
        public boolean deliver(Message message) {
            events.computeIfAbsent(message.channel(), c -> new ArrayList<>());
            synchronized (this) {
                events.get(message.channel()).add(message);
            }
            return true;
        }

        @Override
        public void gap(Gap gap) {
            events.computeIfAbsent(gap.channel(), c -> new ArrayList<>());
            synchronized (this) {
                events.get(gap.channel()).add(gap);
            }
        }

        /** How many messages of {@code channel} came, and its last events. */
        synchronized String summary(ChannelName channel) {
            List<Object> list = events.getOrDefault(channel, List.of());
            List<String> last = list.subList(Math.max(0, list.size() - 4), list.size()).stream()
                    .map(e -> e instanceof Message m ? m.position().toString() : e.toString()).toList();
            return list.size() + " events, last " + last;
        }

        synchronized long gaps() {
            return events.values().stream().flatMap(List::stream).filter(e -> e instanceof Gap).count();
        }

        synchronized boolean received(ChannelName channel, Position position) {
            return events.getOrDefault(channel, List.of()).stream().anyMatch(e -> e instanceof Message m && m.position().equals(position));
        }

        /**
         * Walks the channel's events: messages follow each other offset by offset within an epoch, a new epoch
         * or a skipped offset only after a gap saying so, each position once with what was published there;
         * and every confirmed message was received or lies in a gap.
         */
        synchronized void check(String who, ChannelName channel, Map<Position, String> confirmed) {
            List<Object> list = events.getOrDefault(channel, List.of());
            Map<Position, String> received = new LinkedHashMap<>();
            List<Gap> gaps = new ArrayList<>();
            String epoch = null;
            long last = 0;
            for (Object event : list) {
                if (event instanceof Gap gap) {
                    gaps.add(gap);
                    epoch = gap.epoch();
                    last = gap.firstAvailable() - 1;
                    continue;
                }
                Message m = (Message) event;
                Position p = m.position();
                if (epoch != null) {
                    assertThat(p.epoch()).as("%s: epoch of %s on %s without a gap announcing it (events %s)", who, p, channel, list).isEqualTo(epoch);
                    assertThat(p.offset()).as("%s: offset of the message after %s:%d on %s, with no gap between", who, epoch, last, channel)
                            .isEqualTo(last + 1);
                }
                epoch = p.epoch();
                last = p.offset();
                assertThat(received.put(p, m.payload().utf8())).as("%s: %s of %s received twice", who, p, channel).isNull();
                if (confirmed.containsKey(p)) {
                    assertThat(m.payload().utf8()).as("%s: what %s of %s carries", who, p, channel).isEqualTo(confirmed.get(p));
                }
            }
            for (Map.Entry<Position, String> c : confirmed.entrySet()) {
                Position p = c.getKey();
                if (received.containsKey(p)) {
                    continue;
                }
                boolean covered = gaps.stream().anyMatch(g -> g.reset() ? !g.epoch().equals(p.epoch())
                        : g.epoch().equals(p.epoch()) && g.after() < p.offset() && p.offset() < g.firstAvailable());
                assertThat(covered).as("%s: confirmed %s (%s) of %s was neither received nor in a gap %s", who, p, c.getValue(), channel, gaps)
                        .isTrue();
            }
        }
    }
}
