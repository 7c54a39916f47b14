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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
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
 * <p><b>Threads.</b> One thread reads the connection: it matches confirmations to the subscriptions waiting
 * for them and queues messages, never calling a listener. Listeners are called by {@value #DISPATCHERS}
 * dispatcher threads, each subscription (a channel or a glob) always by the same one, in the order Redis
 * delivered its messages (see {@link Dispatcher}). Patterns {@code /a/*} and {@code /a/**} share the glob {@code /a/*}, which in Redis
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
 * <p><b>Failures.</b> A dropped connection (or one silent for longer than the read timeout despite the
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
    private static final long PING_INTERVAL_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final RedisOptions options;
    private final RedisKeys keys;
    private final RedisPool publisher;
    private final String clientName = "herald-pubsub-" + RandomIds.next(8);
    private final Object lock = new Object();
    private final Map<String, Topic> channels = new ConcurrentHashMap<>();
    private final Map<String, Topic> patterns = new ConcurrentHashMap<>();
    private final List<Dispatcher<Delivery>> dispatchers = new ArrayList<>();
    /** The current connections; empty while reconnecting. Guarded by lock. */
    private List<PubSubLink> links = List.of();
    /** Cluster: completed once every current link has the pattern marker subscribed; null when not sent. Guarded by lock. */
    private CompletableFuture<Void> markers;
    private volatile boolean running;
    private ScheduledExecutorService keepAlive;
    /** Whether the current links have every subscription confirmed, and the wait before reconnecting. */
    private volatile boolean restored = true;
    private volatile long backoff;

    RedisBroker(RedisOptions options, RedisKeys keys) {
        this.options = options;
        this.keys = keys;
        this.publisher = new RedisPool(options);
    }

    @Override
    public int phase() {
        return STORE + 1;
    }

    @Override
    public void start() {
        publisher.start();
        List<PubSubLink> first;
        try {
            first = connectAll();
        } catch (JedisException e) {
            publisher.stop();
            throw new StoreException(RedisPool.startFailure(options.endpoint(), e), e);
        }
        running = true;
        synchronized (lock) {
            links = first;
        }
        for (int i = 0; i < DISPATCHERS; i++) {
            Dispatcher<Delivery> d = new Dispatcher<>("herald-redis-dispatch-" + i, DISPATCH_QUEUE, this::deliver, this::resyncAll);
            dispatchers.add(d);
            d.start();
        }
        first.forEach(this::startReader);
        keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-redis-keepalive");
            t.setDaemon(true);
            return t;
        });
        keepAlive.scheduleWithFixedDelay(this::ping, PING_INTERVAL_MILLIS, PING_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (keepAlive != null) {
            keepAlive.shutdownNow();
        }
        List<PubSubLink> closing;
        synchronized (lock) {
            closing = links;
            links = List.of();
            StoreException stopped = new StoreException("the Redis broker stopped");
            channels.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
            patterns.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
        }
        closing.forEach(PubSubLink::close);
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
                if (!links.isEmpty()) {
                    // Else the reconnection subscribes every topic again.
                    subscribeOnLinks(topic, topic.confirmer());
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
            return links.isEmpty() ? "pub/sub connection to Redis at " + options.endpoint() + " is down, reconnecting" : null;
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
                PubSubLink link = linkOf(topic);
                if (link != null) {
                    // The marker stays subscribed until the next reconnection: a few classic PUBLISHes too many.
                    link.send(topic.pattern ? Protocol.Command.PUNSUBSCRIBE : keys.cluster() ? Protocol.Command.SUNSUBSCRIBE
                            : Protocol.Command.UNSUBSCRIBE, () -> { }, topic.name);
                }
            }
        }
    }

    /**
     * Subscribes {@code topic} on the link that carries it, {@code onConfirmed} running once Redis confirmed
     * it (for a pattern on a cluster, once the marker is confirmed on every master too); call with the lock
     * held and links up. When the slot map names a master without a link (the cluster changed), the links
     * are replaced instead, the reconnection subscribing every topic, and this answers {@code false}.
     */
    private boolean subscribeOnLinks(Topic topic, Runnable onConfirmed) {
        PubSubLink link = linkOf(topic);
        if (link == null) {
            LOG.info("the slot of {} is on a master this node has no pub/sub connection to; reconnecting", topic.key);
            links.get(0).close();
            return false;
        }
        if (!topic.pattern) {
            link.send(keys.cluster() ? Protocol.Command.SSUBSCRIBE : Protocol.Command.SUBSCRIBE, onConfirmed, topic.name);
        } else if (keys.cluster()) {
            CompletableFuture<Void> everyMaster = markers();
            link.send(Protocol.Command.PSUBSCRIBE, () -> everyMaster.thenRun(onConfirmed), topic.name);
        } else {
            link.send(Protocol.Command.PSUBSCRIBE, onConfirmed, topic.name);
        }
        return true;
    }

    /** Subscribes the pattern marker on every link, once per set of links; call with the lock held. */
    private CompletableFuture<Void> markers() {
        if (markers == null) {
            List<CompletableFuture<Void>> each = new ArrayList<>();
            for (PubSubLink link : links) {
                CompletableFuture<Void> confirmed = new CompletableFuture<>();
                each.add(confirmed);
                link.send(Protocol.Command.SUBSCRIBE, () -> confirmed.complete(null), keys.patternMarker());
            }
            markers = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        }
        return markers;
    }

    /** The current link carrying {@code topic}, or {@code null} if none does; call with the lock held. */
    private PubSubLink linkOf(Topic topic) {
        if (links.isEmpty()) {
            return null;
        }
        if (!keys.cluster()) {
            return links.get(0);
        }
        HostAndPort master;
        try {
            master = publisher.slots().masterOf(ClusterSlots.slotOf(topic.pattern ? keys.patternMarker() : topic.name));
        } catch (JedisException e) {
            return null;
        }
        for (PubSubLink link : links) {
            if (link.address.equals(master)) {
                return link;
            }
        }
        return null;
    }

    /** A link to every master (one Redis: to it); none is kept if one fails. */
    private List<PubSubLink> connectAll() {
        int readTimeout = (int) Math.max(3 * PING_INTERVAL_MILLIS, 2L * options.timeoutMillis());
        List<HostAndPort> addresses;
        if (keys.cluster()) {
            publisher.slots().markStale();
            addresses = publisher.slots().masters();
        } else {
            addresses = List.of(new HostAndPort(options.endpoint().host(), options.endpoint().port()));
        }
        List<PubSubLink> made = new ArrayList<>();
        try {
            for (HostAndPort address : addresses) {
                made.add(new PubSubLink(address, new PubSubConnection(address, RedisPool.clientConfig(options, clientName), readTimeout)));
            }
        } catch (JedisException e) {
            made.forEach(PubSubLink::close);
            throw e;
        }
        return made;
    }

    private void ping() {
        synchronized (lock) {
            links.forEach(PubSubLink::ping);
        }
    }

    private void startReader(PubSubLink link) {
        String suffix = keys.cluster() ? "-" + link.address.getPort() : "";
        Thread reader = new Thread(() -> read(link), "herald-redis-pubsub" + suffix);
        reader.setDaemon(true);
        reader.start();
    }

    // --- the reader threads, one per link ---

    private void read(PubSubLink first) {
        PubSubLink link = first;
        while (running && link != null) {
            try {
                handle(link, link.connection.read());
            } catch (JedisException | ClassCastException e) {
                if (!running) {
                    return;
                }
                boolean current;
                synchronized (lock) {
                    current = links.contains(link);
                    if (current) {
                        // This failure ends the current links: the others' readers see theirs closed and end.
                        links.forEach(PubSubLink::close);
                        links = List.of();
                        markers = null;
                    }
                }
                link.close();
                if (!current) {
                    return; // another reader connects again
                }
                if (restored) {
                    LOG.warn("pub/sub connection to Redis at {} lost ({}); reconnecting", link.address, RedisPool.cause(e));
                    backoff = 0;
                } else {
                    // Redis accepted the connection but refused the subscriptions (or dropped it again): wait longer.
                    LOG.debug("pub/sub connection to Redis at {} failed again: {}", link.address, RedisPool.cause(e));
                    backoff = nextBackoff();
                }
                restored = false;
                link = reconnect();
            }
        }
    }

    private long nextBackoff() {
        return Math.min(MAX_BACKOFF_MILLIS, Math.max(50, backoff * 2));
    }

    private void handle(PubSubLink link, Object reply) {
        if (!(reply instanceof List<?> parts) || parts.isEmpty()) {
            return; // +PONG outside subscribed mode
        }
        String kind = new String((byte[]) parts.get(0), StandardCharsets.US_ASCII);
        switch (kind) {
            case "message", "smessage" -> route(null, (byte[]) parts.get(1), (byte[]) parts.get(2));
            case "pmessage" -> route((byte[]) parts.get(1), (byte[]) parts.get(2), (byte[]) parts.get(3));
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe" -> confirm(link);
            case "sunsubscribe" -> {
                if (channels.containsKey(new String((byte[]) parts.get(1), StandardCharsets.UTF_8))) {
                    // Not asked for: the master gave the slot away (resharding, or it became a replica).
                    throw new JedisConnectionException("Redis at " + link.address + " unsubscribed a channel whose slot it no longer serves");
                }
                confirm(link);
            }
            default -> { } // pong
        }
    }

    private static void confirm(PubSubLink link) {
        Runnable onReply = link.confirmations.poll();
        if (onReply != null) {
            onReply.run();
        }
    }

    private void route(byte[] glob, byte[] channel, byte[] frame) {
        // By subscription: each one hands its messages over in the order Redis delivered them, across
        // channels too (a pattern's listener sees its channels interleaved as they were published).
        int stripe = Math.floorMod(Arrays.hashCode(glob != null ? glob : channel), DISPATCHERS);
        dispatchers.get(stripe).offer(new Delivery(glob, channel, frame));
    }

    /**
     * Connects again, with backoff after failures, then subscribes every topic; returns the link this thread
     * reads next (the others get threads of their own), or {@code null} once stopped.
     */
    private PubSubLink reconnect() {
        while (running) {
            if (backoff > 0) {
                try {
                    Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException interrupted) {
                    return null;
                }
            }
            List<PubSubLink> made;
            try {
                made = connectAll();
            } catch (JedisException e) {
                LOG.debug("cannot reconnect to Redis at {}: {}", options.endpoint(), RedisPool.cause(e));
                backoff = nextBackoff();
                continue;
            }
            synchronized (lock) {
                if (!running) {
                    made.forEach(PubSubLink::close);
                    return null;
                }
                links = made;
                markers = null;
                resubscribe();
            }
            made.subList(1, made.size()).forEach(this::startReader);
            return made.get(0);
        }
        return null;
    }

    /** Subscribes every topic on the new links; call with the lock held. */
    private void resubscribe() {
        List<Topic> exact = List.copyOf(channels.values());
        List<Topic> globs = List.copyOf(patterns.values());
        if (exact.isEmpty() && globs.isEmpty()) {
            restored();
            return;
        }
        // Only once Redis has confirmed every subscription can history be re-read without a hole.
        AtomicInteger pending = new AtomicInteger(exact.size() + globs.size());
        Runnable counted = () -> {
            if (pending.decrementAndGet() == 0) {
                restored();
                dispatchers.get(0).offer(Delivery.RESYNC);
            }
        };
        if (!keys.cluster()) {
            // One command for all, as many replies.
            PubSubLink link = links.get(0);
            if (!exact.isEmpty()) {
                link.send(Protocol.Command.SUBSCRIBE, confirmers(exact, counted), exact.stream().map(t -> t.name).toArray(byte[][]::new));
            }
            if (!globs.isEmpty()) {
                link.send(Protocol.Command.PSUBSCRIBE, confirmers(globs, counted), globs.stream().map(t -> t.name).toArray(byte[][]::new));
            }
            return;
        }
        // SSUBSCRIBE takes channels of one slot: one command each. When the slot map changed again, the
        // next reconnection subscribes everything.
        List<Topic> all = new ArrayList<>(exact);
        all.addAll(globs);
        for (Topic topic : all) {
            if (!subscribeOnLinks(topic, both(topic.confirmer(), counted))) {
                return;
            }
        }
    }

    private static Runnable[] confirmers(List<Topic> topics, Runnable counted) {
        return topics.stream().map(t -> both(t.confirmer(), counted)).toArray(Runnable[]::new);
    }

    private static Runnable both(Runnable first, Runnable second) {
        return () -> {
            first.run();
            second.run();
        };
    }

    /** The new links have every subscription back. */
    private void restored() {
        restored = true;
        backoff = 0;
        LOG.info("pub/sub connection to Redis at {} is back with {} subscriptions; re-reading history",
                options.endpoint(), channels.size() + patterns.size());
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
