package io.herald.redis;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.StoreException;
import io.herald.core.RandomIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Fan-out between nodes over Redis pub/sub, on ONE connection per node whatever the number of clients and
 * channels: a channel's first subscriber sends {@code SUBSCRIBE} (a pattern's, {@code PSUBSCRIBE}) on the
 * running connection, and {@link #subscribe} returns once Redis has confirmed it, so a message published
 * afterwards reaches the listener.
 *
 * <p><b>Publishing</b>: {@link #publish} sends {@code PUBLISH} on a small pool of its own, for messages
 * another store positioned ({@code --store memory --broker redis}). The Redis store publishes inside its
 * append script instead, atomically with storing the message, and says so
 * ({@link RedisHistoryStore#publishesTo}): the engine then never calls {@link #publish} for it. A
 * {@code PUBLISH} that fails is not thrown at the publisher, whose message is stored: this node's listeners
 * are told to resync from history instead, as after a lost connection.
 *
 * <p><b>Threads.</b> The connections and their reader threads are {@link PubSubLinks}': a reader matches
 * confirmations to the subscriptions waiting for them and hands messages to this broker, which queues them,
 * never calling a listener on a reader. Listeners are called by {@value #DISPATCHERS} dispatcher threads, each
 * subscription (a channel or a glob) always by the same one, in the order Redis delivered its messages (see
 * {@link Dispatcher}). Patterns {@code /a/*} and {@code /a/**} share the glob {@code /a/*}, which in Redis
 * also matches deeper channels, so each listener gets only what its pattern {@link ChannelName#matches}.
 *
 * <p><b>Redis Cluster.</b> Messages go on shard channels ({@code SPUBLISH}, {@link RedisKeys#pubsub}), so
 * only the master owning a channel's slot carries them. The node keeps one connection per master
 * ({@link PubSubLink}) and {@code SSUBSCRIBE}s each channel on its owner's ({@link ClusterSlots}). Sharded
 * pub/sub has no patterns: pattern subscriptions {@code PSUBSCRIBE} on the connection to the master owning
 * the {@link RedisKeys#patternMarker() marker}'s slot, which the classic {@code PUBLISH} the append script
 * adds while some node has a pattern reaches (over the cluster bus, in order per channel); such a node
 * subscribes the marker on every master's connection, which the script checks, before its pattern
 * subscription counts as confirmed. {@link #publish} sends that classic {@code PUBLISH} on the pattern
 * master itself, so that pattern listeners get its messages in the order it was called, across channels.
 *
 * <p><b>Failures</b> ({@link PubSubLinks}). A dropped connection (or one silent for longer than the read timeout despite the
 * keep-alive {@code PING}s) is replaced with backoff; every subscription is made again and, once Redis has
 * confirmed them all, every listener gets {@link Listener#onResync()} so the engine re-reads history for
 * what was published meanwhile. On a cluster any connection failing, or a master unsubscribing a channel
 * itself ({@code sunsubscribe}: its slot moved), replaces every connection: the slot map is read again
 * (after a failover it names the promoted replica), each master gets its channels, and every listener
 * resyncs. Thread-safe.
 */
final class RedisBroker implements Broker, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final int DISPATCHERS = 4;
    private static final int DISPATCH_QUEUE = 65_536;

    private final RedisOptions options;
    private final RedisKeys keys;
    private final RedisPool publisher;
    private final String clientName = "herald-pubsub-" + RandomIds.next(8);
    private final Object lock = new Object();
    private final Map<String, Topic> channels = new ConcurrentHashMap<>();
    private final Map<String, Topic> patterns = new ConcurrentHashMap<>();
    private final List<Dispatcher<Delivery>> dispatchers = new ArrayList<>();
    private final PubSubLinks links;
    /** Set under lock (so that no subscription slips past a stop); read by publish without it. */
    private volatile boolean running;

    RedisBroker(RedisOptions options, RedisKeys keys) {
        this.options = options;
        this.keys = keys;
        this.publisher = new RedisPool(options);
        this.links = new PubSubLinks(options, keys, publisher, clientName, lock, channels, patterns, new PubSubLinks.Router() {
            @Override
            public void message(byte[] glob, byte[] channel, byte[] frame) {
                route(glob, channel, frame);
            }

            @Override
            public void resync() {
                dispatchers.get(0).offer(Delivery.RESYNC);
            }
        });
    }

    @Override
    public int phase() {
        return STORE + 1;
    }

    @Override
    public void start() {
        publisher.start();
        // Dispatchers first: the readers the links start hand them messages at once.
        for (int i = 0; i < DISPATCHERS; i++) {
            Dispatcher<Delivery> d = new Dispatcher<>("herald-redis-dispatch-" + i, DISPATCH_QUEUE, this::deliver, this::resyncAll);
            dispatchers.add(d);
            d.start();
        }
        try {
            links.start();
        } catch (JedisException e) {
            dispatchers.forEach(Dispatcher::stop);
            dispatchers.clear();
            publisher.stop();
            throw new StoreException(RedisPool.startFailure(options.endpoint(), e), e);
        }
        synchronized (lock) {
            running = true;
        }
    }

    @Override
    public void stop() {
        synchronized (lock) {
            running = false;
            StoreException stopped = new StoreException("the Redis broker stopped");
            channels.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
            patterns.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
        }
        links.stop();
        dispatchers.forEach(Dispatcher::stop);
        publisher.stop();
    }

    @Override
    public void publish(Message message) {
        String what = "publish " + message.position() + " of " + message.channel();
        try {
            if (keys.cluster()) {
                byte[] frame = MessageCodec.frame(message);
                publisher.call(c -> ((RedisClusterClient) c).spublish(keys.pubsub(message.channel()), frame), what);
                publisher.eval(LuaScript.PATTERN_PUBLISH, List.of(keys.patternMarker()), List.of(frame, keys.patternBus(message.channel())), what);
            } else {
                publisher.call(c -> c.publish(keys.pubsub(message.channel()), MessageCodec.frame(message)), what);
            }
        } catch (StoreException e) {
            LOG.warn("{}; this node's subscribers re-read history", e.getMessage());
            if (running) {
                dispatchers.get(0).offer(Delivery.RESYNC);
            }
        }
    }

    /**
     * Whether a message published on {@code keys}' pub/sub channels of the Redis at {@code endpoint} reaches
     * this broker's subscribers: same server and database (or same cluster), same prefix.
     */
    boolean receives(RedisEndpoint endpoint, RedisKeys published) {
        RedisEndpoint mine = options.endpoint();
        if (mine.isCluster() || endpoint.isCluster()) {
            return mine.cluster().equals(endpoint.cluster()) && keys.prefix().equals(published.prefix());
        }
        return mine.host().equalsIgnoreCase(endpoint.host()) && mine.port() == endpoint.port()
                && mine.database() == endpoint.database() && keys.prefix().equals(published.prefix());
    }

    @Override
    public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
        Topic.Registration registration;
        CompletableFuture<Void> confirmed;
        synchronized (lock) {
            if (!running) {
                throw new StoreException("cannot subscribe to " + channelOrPattern + ": the Redis broker is not started");
            }
            boolean pattern = channelOrPattern.isPattern();
            byte[] name = pattern ? keys.pubsubGlob(channelOrPattern) : keys.pubsub(channelOrPattern);
            String key = new String(name, StandardCharsets.UTF_8);
            Map<String, Topic> topics = pattern ? patterns : channels;
            Topic topic = topics.get(key);
            if (topic == null) {
                topic = new Topic(key, name, pattern);
                topics.put(key, topic);
                if (links.up()) {
                    // Else the reconnection subscribes every topic again.
                    links.subscribe(topic, topic.confirmer());
                }
            }
            registration = new Topic.Registration(this, topic, channelOrPattern, listener);
            topic.add(registration);
            confirmed = topic.confirmed;
        }
        try {
            confirmed.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            registration.close();
            throw new StoreException("cannot subscribe to " + channelOrPattern + ": Redis at " + options.endpoint()
                    + " did not confirm the subscription within " + options.timeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            registration.close();
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while subscribing to " + channelOrPattern);
        }
        return registration;
    }

    /** The client name of the pub/sub connections (tests find them with {@code CLIENT LIST}). */
    String clientName() {
        return clientName;
    }

    /** {@code null} while the pub/sub connections are up, else what is wrong. */
    String problem() {
        synchronized (lock) {
            if (!running) {
                return "pub/sub is not started";
            }
            return !links.up() ? "pub/sub connection to Redis at " + options.endpoint() + " is down, reconnecting" : null;
        }
    }

    void unsubscribe(Topic.Registration registration) {
        synchronized (lock) {
            Topic topic = registration.topic;
            if (!topic.remove(registration)) {
                return;
            }
            Map<String, Topic> topics = topic.pattern ? patterns : channels;
            if (topic.isEmpty() && topics.get(topic.key) == topic) {
                topics.remove(topic.key);
                links.unsubscribe(topic);
            }
        }
    }

    private void route(byte[] glob, byte[] channel, byte[] frame) {
        // By subscription: each one hands its messages over in the order Redis delivered them, across
        // channels too (a pattern's listener sees its channels interleaved as they were published).
        int stripe = Math.floorMod(Arrays.hashCode(glob != null ? glob : channel), DISPATCHERS);
        dispatchers.get(stripe).offer(new Delivery(glob, channel, frame));
    }

    // --- dispatcher threads ---

    private void deliver(Delivery delivery) {
        if (delivery == Delivery.RESYNC) {
            resyncAll();
            return;
        }
        ChannelName channel = keys.channelOf(delivery.channel);
        if (channel == null) {
            return;
        }
        Topic topic = delivery.glob == null ? channels.get(new String(delivery.channel, StandardCharsets.UTF_8))
                : patterns.get(new String(delivery.glob, StandardCharsets.UTF_8));
        if (topic == null) {
            return;
        }
        Message message = null;
        for (Topic.Registration r : topic.registrations) {
            if (r.closed || !r.channel.matches(channel)) {
                continue;
            }
            if (message == null) {
                try {
                    message = MessageCodec.decodeFrame(channel, delivery.frame);
                } catch (IllegalArgumentException e) {
                    LOG.warn("dropping an unreadable message of {} from Redis: {}", channel, e.getMessage());
                    return;
                }
            }
            try {
                r.listener.onMessage(message);
            } catch (RuntimeException e) {
                LOG.warn("listener of {} failed on {}: {}", r.channel, message.position(), e.toString());
            }
        }
    }

    /** Tells every listener, once each, that messages may have been lost. */
    private void resyncAll() {
        Set<Listener> listeners = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map<String, Topic> topics : List.of(channels, patterns)) {
            for (Topic topic : topics.values()) {
                for (Topic.Registration r : topic.registrations) {
                    if (!r.closed) {
                        listeners.add(r.listener);
                    }
                }
            }
        }
        for (Listener listener : listeners) {
            try {
                listener.onResync();
            } catch (RuntimeException e) {
                LOG.warn("listener failed on resync: {}", e.toString());
            }
        }
    }

    /** A message or a resync request on its way to the listeners. */
    private record Delivery(byte[] glob, byte[] channel, byte[] frame) {
        static final Delivery RESYNC = new Delivery(null, null, null);
    }
}
