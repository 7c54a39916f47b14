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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Protocol;
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
 * <p><b>Failures.</b> A dropped connection (or one silent for longer than the read timeout despite the
 * keep-alive {@code PING}s) is replaced with backoff; every subscription is made again and, once Redis has
 * confirmed them all, every listener gets {@link Listener#onResync()} so the engine re-reads history for
 * what was published meanwhile. Thread-safe.
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
    /** What to do on each subscription reply, in the order the commands were sent; guarded by lock for adds. */
    private final ConcurrentLinkedQueue<Runnable> confirmations = new ConcurrentLinkedQueue<>();
    private final List<Dispatcher<Delivery>> dispatchers = new ArrayList<>();
    private PubSubConnection connection;
    private volatile boolean running;
    private Thread reader;
    private ScheduledExecutorService keepAlive;
    /** Reader thread only: whether the current connection has every subscription confirmed, and the wait before reconnecting. */
    private boolean restored = true;
    private long backoff;

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
        PubSubConnection first;
        try {
            first = connect();
        } catch (JedisException e) {
            publisher.stop();
            throw new StoreException(RedisPool.startFailure(options.endpoint(), e), e);
        }
        running = true;
        synchronized (lock) {
            connection = first;
        }
        for (int i = 0; i < DISPATCHERS; i++) {
            Dispatcher<Delivery> d = new Dispatcher<>("herald-redis-dispatch-" + i, DISPATCH_QUEUE, this::deliver, this::resyncAll);
            dispatchers.add(d);
            d.start();
        }
        reader = new Thread(() -> read(first), "herald-redis-pubsub");
        reader.setDaemon(true);
        reader.start();
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
        PubSubConnection c;
        synchronized (lock) {
            c = connection;
            connection = null;
            StoreException stopped = new StoreException("the Redis broker stopped");
            channels.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
            patterns.values().forEach(t -> t.confirmed.completeExceptionally(stopped));
        }
        closeQuietly(c);
        if (reader != null) {
            reader.interrupt();
        }
        dispatchers.forEach(Dispatcher::stop);
        publisher.stop();
    }

    @Override
    public void publish(Message message) {
        try {
            publisher.call(c -> c.publish(keys.pubsub(message.channel()), MessageCodec.frame(message)),
                    "publish " + message.position() + " of " + message.channel());
        } catch (StoreException e) {
            LOG.warn("{}; this node's subscribers re-read history", e.getMessage());
            if (running) {
                dispatchers.get(0).offer(Delivery.RESYNC);
            }
        }
    }

    /**
     * Whether a message published on {@code keys}' pub/sub channels of the Redis at {@code endpoint} reaches
     * this broker's subscribers: same server and database, same prefix.
     */
    boolean receives(RedisEndpoint endpoint, RedisKeys published) {
        RedisEndpoint mine = options.endpoint();
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
                send(pattern ? Protocol.Command.PSUBSCRIBE : Protocol.Command.SUBSCRIBE, topic.confirmer(), name);
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

    /** The client name of the pub/sub connection (tests find it with {@code CLIENT LIST}). */
    String clientName() {
        return clientName;
    }

    /** {@code null} while the pub/sub connection is up, else what is wrong. */
    String problem() {
        synchronized (lock) {
            if (!running) {
                return "pub/sub is not started";
            }
            return connection == null ? "pub/sub connection to Redis at " + options.endpoint() + " is down, reconnecting" : null;
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
                send(topic.pattern ? Protocol.Command.PUNSUBSCRIBE : Protocol.Command.UNSUBSCRIBE, () -> { }, topic.name);
            }
        }
    }

    /** Sends a (un)subscribe command for one name, expecting one reply; call with the lock held. */
    private void send(Protocol.Command command, Runnable onReply, byte[] name) {
        if (connection == null) {
            return; // the reconnection subscribes every topic again
        }
        confirmations.add(onReply);
        try {
            connection.send(command, name);
        } catch (JedisException e) {
            // The reader fails on the same connection and reconnects, subscribing again.
            LOG.debug("pub/sub write failed: {}", e.toString());
            closeQuietly(connection);
        }
    }

    private PubSubConnection connect() {
        int readTimeout = (int) Math.max(3 * PING_INTERVAL_MILLIS, 2L * options.timeoutMillis());
        return new PubSubConnection(options.endpoint(), RedisPool.clientConfig(options, clientName), readTimeout);
    }

    private void ping() {
        synchronized (lock) {
            if (connection != null) {
                try {
                    connection.send(Protocol.Command.PING);
                } catch (JedisException e) {
                    closeQuietly(connection);
                }
            }
        }
    }

    // --- the reader thread ---

    private void read(PubSubConnection first) {
        PubSubConnection c = first;
        while (running && c != null) {
            try {
                handle(c.read());
            } catch (JedisException | ClassCastException e) {
                if (!running) {
                    return;
                }
                if (restored) {
                    LOG.warn("pub/sub connection to Redis at {} lost ({}); reconnecting", options.endpoint(), RedisPool.cause(e));
                    backoff = 0;
                } else {
                    // Redis accepted the connection but refused the subscriptions (or dropped it again): wait longer.
                    LOG.debug("pub/sub connection to Redis at {} failed again: {}", options.endpoint(), RedisPool.cause(e));
                    backoff = nextBackoff();
                }
                restored = false;
                synchronized (lock) {
                    if (connection == c) {
                        connection = null;
                    }
                    confirmations.clear();
                }
                closeQuietly(c);
                c = reconnect();
            }
        }
    }

    private long nextBackoff() {
        return Math.min(MAX_BACKOFF_MILLIS, Math.max(50, backoff * 2));
    }

    private void handle(Object reply) {
        if (!(reply instanceof List<?> parts) || parts.isEmpty()) {
            return; // +PONG outside subscribed mode
        }
        String kind = new String((byte[]) parts.get(0), StandardCharsets.US_ASCII);
        switch (kind) {
            case "message" -> route(null, (byte[]) parts.get(1), (byte[]) parts.get(2));
            case "pmessage" -> route((byte[]) parts.get(1), (byte[]) parts.get(2), (byte[]) parts.get(3));
            case "subscribe", "psubscribe", "unsubscribe", "punsubscribe" -> {
                Runnable onReply = confirmations.poll();
                if (onReply != null) {
                    onReply.run();
                }
            }
            default -> { } // pong
        }
    }

    private void route(byte[] glob, byte[] channel, byte[] frame) {
        // By subscription: each one hands its messages over in the order Redis delivered them, across
        // channels too (a pattern's listener sees its channels interleaved as they were published).
        int stripe = Math.floorMod(Arrays.hashCode(glob != null ? glob : channel), DISPATCHERS);
        dispatchers.get(stripe).offer(new Delivery(glob, channel, frame));
    }

    /**
     * Connects again, with backoff after failures, then subscribes every topic; returns the new connection, or
     * {@code null} once stopped. Runs on the reader thread.
     */
    private PubSubConnection reconnect() {
        while (running) {
            if (backoff > 0) {
                try {
                    Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException interrupted) {
                    return null;
                }
            }
            PubSubConnection c = null;
            try {
                c = connect();
                synchronized (lock) {
                    if (!running) {
                        closeQuietly(c);
                        return null;
                    }
                    confirmations.clear();
                    connection = c;
                    resubscribe();
                }
                return c;
            } catch (JedisException e) {
                LOG.debug("cannot reconnect to Redis at {}: {}", options.endpoint(), RedisPool.cause(e));
                if (c != null) {
                    synchronized (lock) {
                        if (connection == c) {
                            connection = null;
                        }
                        confirmations.clear();
                    }
                    closeQuietly(c);
                }
                backoff = nextBackoff();
            }
        }
        return null;
    }

    /** Subscribes every topic on the new connection; call with the lock held. */
    private void resubscribe() {
        List<Topic> exact = List.copyOf(channels.values());
        List<Topic> globs = List.copyOf(patterns.values());
        List<Runnable> replies = new ArrayList<>();
        exact.forEach(t -> replies.add(t.confirmer()));
        globs.forEach(t -> replies.add(t.confirmer()));
        if (replies.isEmpty()) {
            restored();
            return;
        }
        // Only once Redis has confirmed every subscription can history be re-read without a hole.
        Runnable last = replies.remove(replies.size() - 1);
        replies.add(() -> {
            last.run();
            restored();
            dispatchers.get(0).offer(Delivery.RESYNC);
        });
        confirmations.addAll(replies);
        if (!exact.isEmpty()) {
            connection.send(Protocol.Command.SUBSCRIBE, exact.stream().map(t -> t.name).toArray(byte[][]::new));
        }
        if (!globs.isEmpty()) {
            connection.send(Protocol.Command.PSUBSCRIBE, globs.stream().map(t -> t.name).toArray(byte[][]::new));
        }
    }

    /** The new connection has every subscription back; runs on the reader thread. */
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

    private static void closeQuietly(PubSubConnection c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the pub/sub connection: {}", e.toString());
            }
        }
    }

    /** A message or a resync request on its way to the listeners. */
    private record Delivery(byte[] glob, byte[] channel, byte[] frame) {
        static final Delivery RESYNC = new Delivery(null, null, null);
    }
}
