package io.herald.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The pub/sub connections of one {@link RedisBroker}: one to the one Redis, or on a cluster one per master
 * ({@link PubSubLink}), each read by a thread of its own; which link carries a topic
 * ({@link ClusterSlots}); and their replacement when one fails. The broker keeps the topics and calls the
 * listeners; this class subscribes the topics, hands every message to the broker's {@link Router}, and asks
 * it for a resync once new links have every subscription confirmed.
 *
 * <p>Writes happen under the broker's lock, which this class shares ({@code lock}); methods marked so must be
 * called with it held. On a cluster any link failing, or a master unsubscribing a channel itself
 * ({@code sunsubscribe}: its slot moved), replaces every link from a fresh slot map. Thread-safe.
 */
final class PubSubLinks {

    /** Where the readers hand what Redis pushes: a message ({@code glob} null unless it came by a pattern), or a resync. */
    interface Router {
        void message(byte[] glob, byte[] channel, byte[] frame);

        /** New links have every subscription back: listeners must re-read what was published meanwhile. */
        void resync();
    }

    private static final Logger LOG = LoggerFactory.getLogger(PubSubLinks.class);
    private static final long PING_INTERVAL_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final RedisOptions options;
    private final RedisKeys keys;
    private final RedisPool publisher;
    private final String clientName;
    private final Object lock;
    private final Map<String, Topic> channels;
    private final Map<String, Topic> patterns;
    private final Router router;
    /** The current connections; empty while reconnecting. Guarded by lock. */
    private List<PubSubLink> links = List.of();
    /** Cluster: completed once every current link has the pattern marker subscribed; null when not sent. Guarded by lock. */
    private CompletableFuture<Void> markers;
    private volatile boolean running;
    private ScheduledExecutorService keepAlive;
    /** Whether the current links have every subscription confirmed, and the wait before reconnecting. */
    private volatile boolean restored = true;
    private volatile long backoff;

    PubSubLinks(RedisOptions options, RedisKeys keys, RedisPool publisher, String clientName, Object lock,
            Map<String, Topic> channels, Map<String, Topic> patterns, Router router) {
        this.options = options;
        this.keys = keys;
        this.publisher = publisher;
        this.clientName = clientName;
        this.lock = lock;
        this.channels = channels;
        this.patterns = patterns;
        this.router = router;
    }

    /**
     * Connects to every master (one Redis: to it) and starts reading; no topic is subscribed yet.
     *
     * @throws JedisException when a connection cannot be made (none is kept)
     */
    void start() {
        List<PubSubLink> first = connectAll();
        running = true;
        synchronized (lock) {
            links = first;
        }
        first.forEach(this::startReader);
        keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-redis-keepalive");
            t.setDaemon(true);
            return t;
        });
        keepAlive.scheduleWithFixedDelay(this::ping, PING_INTERVAL_MILLIS, PING_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Closes every link for good; the readers end. */
    void stop() {
        running = false;
        if (keepAlive != null) {
            keepAlive.shutdownNow();
        }
        List<PubSubLink> closing;
        synchronized (lock) {
            closing = links;
            links = List.of();
        }
        closing.forEach(PubSubLink::close);
    }

    /** Whether links are up; call with the lock held. */
    boolean up() {
        return !links.isEmpty();
    }

    /**
     * Subscribes {@code topic} on the link that carries it, {@code onConfirmed} running once Redis confirmed
     * it (for a pattern on a cluster, once the marker is confirmed on every master too); call with the lock
     * held and links up. When the slot map names a master without a link (the cluster changed), the links
     * are replaced instead, the reconnection subscribing every topic, and this answers {@code false}.
     */
    boolean subscribe(Topic topic, Runnable onConfirmed) {
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

    /** Unsubscribes {@code topic} from the link carrying it, if any; call with the lock held. */
    void unsubscribe(Topic topic) {
        PubSubLink link = linkOf(topic);
        if (link != null) {
            // The marker stays subscribed until the next reconnection: a few classic PUBLISHes too many.
            link.send(topic.pattern ? Protocol.Command.PUNSUBSCRIBE : keys.cluster() ? Protocol.Command.SUNSUBSCRIBE
                    : Protocol.Command.UNSUBSCRIBE, () -> { }, topic.name);
        }
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
            case "message", "smessage" -> router.message(null, (byte[]) parts.get(1), (byte[]) parts.get(2));
            case "pmessage" -> router.message((byte[]) parts.get(1), (byte[]) parts.get(2), (byte[]) parts.get(3));
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
                router.resync();
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
            if (!subscribe(topic, both(topic.confirmer(), counted))) {
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
}
