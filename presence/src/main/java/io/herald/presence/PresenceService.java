package io.herald.presence;

import io.herald.api.ChannelName;
import io.herald.api.Lifecycle;
import io.herald.api.Payload;
import io.herald.api.PresenceStore;
import io.herald.api.PresenceStore.Arrival;
import io.herald.api.PresenceStore.Offline;
import io.herald.api.PresenceStore.OnlineUser;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Connection;
import io.herald.core.ConnectionListener;
import io.herald.core.Engine;
import io.herald.core.EngineThreads;
import io.herald.core.RandomIds;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence with faye-online's semantics on the {@link PresenceStore}: who is online per channel, per user
 * across connections and nodes, with online time.
 *
 * <p>It listens to the core's connection hooks, so every transport is covered: a connection joining a
 * channel with presence ({@link PresenceSettings#channels()}) arrives in the store as a client of its user
 * (the principal's name; an anonymous connection is a user of its own, its session), and the store says
 * whether that user came online: then this node publishes {@code join} on the companion channel
 * {@code /presence<channel>}. A connection leaving (unsubscribed, closed, cut off) leaves the store; when it
 * was the user's last, the user is leaving, and {@link #sweep()} (every {@code presence.sweep}, on every
 * node) takes offline those whose grace is over, exactly once across the nodes, and publishes {@code leave}.
 * A connection whose node died stops being refreshed by {@link #beat()} and expires after
 * {@code presence.ttl}; the sweep of any other node then counts it gone.
 *
 * <p>One connection subscribed twice to a channel is one client there. Store failures are logged, never
 * thrown at the transport: the connection's entry then expires and the next heartbeat re-creates it.
 * Timers run on the engine's scheduler, the store work on its workers; tests drive {@link #beat()} and
 * {@link #sweep()} with a controlled {@link Clock}. Thread-safe.
 */
@Singleton
public final class PresenceService implements ConnectionListener, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);

    private final PresenceStore store;
    private final Engine engine;
    private final EngineThreads threads;
    private final Clock clock;
    private final PresenceSettings settings;
    private final PresenceChannels channels;
    private final List<PresenceListener> listeners;
    private final Map<Connection, Client> clients = new ConcurrentHashMap<>();
    /** Client ids are this node's random id and a count: unique across nodes without a random draw per connection. */
    private final String node = RandomIds.next(10);
    private final AtomicLong clientCount = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicBoolean beating = new AtomicBoolean();
    /**
     * Read-held by each timed sweep or heartbeat while it runs (they run side by side), write-held by
     * {@link #stop()}, which so outwaits them before the store stops.
     */
    private final ReadWriteLock timedWork = new ReentrantReadWriteLock();
    private volatile boolean stopped;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> heart;

    @Inject
    PresenceService(PresenceStore store, Engine engine, EngineThreads threads, Clock clock, PresenceSettings settings,
                    PresenceChannels channels, Set<PresenceListener> listeners) {
        this.store = store;
        this.engine = engine;
        this.threads = threads;
        this.clock = clock;
        this.settings = settings;
        this.channels = channels;
        this.listeners = List.copyOf(listeners);
    }

    /** One connection present on channels; its lock orders the store calls of the connection. */
    private static final class Client {
        final String id;
        final String user;
        final Map<String, String> info;
        final Map<ChannelName, Integer> channels = new HashMap<>();

        Client(String id, String user, Map<String, String> info) {
            this.id = id;
            this.user = user;
            this.info = info;
        }
    }

    @Override
    public void joined(Connection connection, ChannelName channel) {
        if (!channels.tracks(channel)) {
            return;
        }
        while (true) {
            Client client = clients.computeIfAbsent(connection, this::client);
            if (client == null) {
                return;
            }
            synchronized (client) {
                // A last leave on another thread may have dropped this client meanwhile: take a fresh one.
                if (clients.get(connection) != client) {
                    continue;
                }
                if (client.channels.merge(channel, 1, Integer::sum) == 1) {
                    arrive(client, channel);
                }
                return;
            }
        }
    }

    /** Records a client on a channel and tells its user's join if it brought them online; {@code false} if the store failed. */
    private boolean arrive(Client client, ChannelName channel) {
        try {
            Arrival arrival = store.arrive(channel, client.id, client.user, client.info, settings.ttl());
            if (arrival.userJoined()) {
                announce(new PresenceEvent(PresenceEvent.Kind.JOIN, channel, client.user, arrival.connections(),
                        arrival.member().joinedAt()));
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("presence: cannot record {} of {} on {}: {}", client.id, client.user, channel, e.getMessage());
            return false;
        }
    }

    @Override
    public void left(Connection connection, ChannelName channel) {
        if (!channels.tracks(channel)) {
            return;
        }
        Client client = clients.get(connection);
        if (client == null) {
            return;
        }
        synchronized (client) {
            Integer count = client.channels.get(channel);
            if (count == null) {
                return;
            }
            if (count > 1) {
                client.channels.put(channel, count - 1);
                return;
            }
            client.channels.remove(channel);
            if (client.channels.isEmpty()) {
                clients.remove(connection, client);
            }
            try {
                store.leave(channel, client.id);
            } catch (RuntimeException e) {
                LOG.warn("presence: cannot remove {} of {} from {}; it expires in {}: {}", client.id, client.user, channel,
                        settings.ttl(), e.getMessage());
            }
        }
    }

    /** The client of a connection, or {@code null} when its principal is not present (anonymous, if so configured). */
    private Client client(Connection connection) {
        Principal principal = connection.session().principal();
        boolean anonymous = principal.name().equals(Principal.ANONYMOUS_NAME);
        if (anonymous && !settings.anonymous()) {
            return null;
        }
        Map<String, String> info = new LinkedHashMap<>();
        for (String key : settings.info()) {
            String value = principal.attributes().get(key);
            if (value != null) {
                info.put(key, value);
            }
        }
        // An anonymous connection is its own user; its session is what survives a reconnect of a durable session.
        return new Client(node + "-" + clientCount.incrementAndGet(), anonymous ? connection.session().id() : principal.name(), info);
    }

    /**
     * Refreshes every client of this node in the store, so that only a dead node's clients expire. A client
     * the store lost meanwhile (an outage, or a pause longer than the TTL that took its user offline) arrives
     * again, and its user's join is told again if they had gone offline.
     */
    public void beat() {
        for (Client client : clients.values()) {
            if (stopped) {
                return;
            }
            synchronized (client) {
                for (ChannelName channel : client.channels.keySet()) {
                    if (!arrive(client, channel)) {
                        return; // the store is failing: one line, and the next beat tries again
                    }
                }
            }
        }
    }

    /**
     * Takes offline the users whose last connection went (or expired) a grace period ago, as the store
     * hands them out (each once across the nodes), and announces their leave.
     *
     * @return the leaves announced
     */
    public List<PresenceEvent> sweep() {
        List<Offline> offline = store.purgeOffline(clock.instant(), settings.grace());
        List<PresenceEvent> events = offline.stream()
                .map(o -> new PresenceEvent(PresenceEvent.Kind.LEAVE, o.channel(), o.userId(), 0, o.at())).toList();
        events.forEach(this::announce);
        return events;
    }

    /** The users online on {@code channel}, leaving ones (with no connection, within the grace) included. */
    public List<OnlineUser> users(ChannelName channel) {
        return store.users(channel);
    }

    /** The accumulated online time of {@code user} on {@code channel}, the current session included. */
    public Duration onlineTime(ChannelName channel, String user) {
        return store.onlineTime(channel, user, clock.instant());
    }

    /** Whether {@code channel} has presence. */
    public boolean tracks(ChannelName channel) {
        return channels.tracks(channel);
    }

    private void announce(PresenceEvent event) {
        for (PresenceListener listener : listeners) {
            try {
                if (event.kind() == PresenceEvent.Kind.JOIN) {
                    listener.joined(event);
                } else {
                    listener.left(event);
                }
            } catch (RuntimeException e) {
                LOG.warn("presence listener {} failed on {}: {}", listener.getClass().getName(), event, e.toString());
            }
        }
        ChannelName companion;
        try {
            companion = PresenceChannels.companion(event.channel());
        } catch (RuntimeException e) {
            LOG.warn("presence: no companion channel for {}: {}", event.channel(), e.getMessage());
            return;
        }
        Publication publication = new Publication(companion, null, event.kind().wireName(), Payload.utf8(event.json()),
                Publication.JSON, Map.of());
        // Never waits here (this may be a subscribing thread or a store's); a failure loses only the notice.
        engine.publishAsync(Principal.SERVER, publication).whenComplete((message, failure) -> {
            if (failure != null) {
                LOG.warn("presence: cannot publish {} of {} on {}: {}", event.kind().wireName(), event.user(), companion, failure.toString());
            }
        });
    }

    @Override
    public int phase() {
        // After the engine (it publishes), before transports (which bring connections).
        return ENGINE + 10;
    }

    @Override
    public void start() {
        long sweepMillis = settings.sweep().toMillis();
        long beatMillis = Math.max(100, settings.ttl().toMillis() / 3);
        sweeper = threads.scheduler().scheduleWithFixedDelay(() -> onWorker(sweeping, this::sweep, "sweep"),
                sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        heart = threads.scheduler().scheduleWithFixedDelay(() -> onWorker(beating, this::beat, "heartbeat"),
                beatMillis, beatMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on a worker unless the previous run is still going (a slow store never piles them up). */
    private void onWorker(AtomicBoolean running, Runnable task, String what) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        threads.execute(() -> {
            try {
                timedWork.readLock().lock();
                try {
                    if (!stopped) {
                        task.run();
                    }
                } finally {
                    timedWork.readLock().unlock();
                }
            } catch (RuntimeException e) {
                LOG.warn("presence {} failed: {}", what, e.getMessage());
            } finally {
                running.set(false);
            }
        }, () -> running.set(false));
    }

    @Override
    public void stop() {
        stopped = true;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (heart != null) {
            heart.cancel(false);
        }
        // Once a sweep or heartbeat in flight has finished (a heartbeat stops early), none touches the store.
        timedWork.writeLock().lock();
        timedWork.writeLock().unlock();
    }
}
