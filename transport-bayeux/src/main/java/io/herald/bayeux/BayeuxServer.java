package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.Authenticator;
import io.herald.api.ChannelName;
import io.herald.api.Credentials;
import io.herald.api.InvalidRequestException;
import io.herald.api.Lifecycle;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.core.AckMode;
import io.herald.core.ClientSession;
import io.herald.core.Connection;
import io.herald.core.Engine;
import io.herald.core.EngineThreads;
import io.herald.core.Resume;
import io.herald.core.SessionService;
import io.herald.core.auth.TokenAuthenticator;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bayeux clients of this node and what they share: the engine, the session layer, the settings, the
 * extensions and services, the delivery encoder and the counters. A client id is a durable core session; this
 * node keeps a {@link BayeuxClient} for it while the client keeps connecting, and finds it again in the
 * {@link io.herald.api.SessionStore} when it comes back after the node let go of it, after a page reload, on
 * another node or after a restart on a persistent store. Thread-safe.
 */
@Singleton
public final class BayeuxServer implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(BayeuxServer.class);

    final Engine engine;
    final SessionService sessions;
    final Authenticator authenticator;
    final EngineThreads threads;
    final BayeuxSettings settings;
    final List<BayeuxExtension> extensions;
    final List<BayeuxService> services;
    final BayeuxDeliveries deliveries = new BayeuxDeliveries();
    final BayeuxStats stats = new BayeuxStats();
    private final Map<String, BayeuxClient> clients = new ConcurrentHashMap<>();
    private final boolean connectsWithoutWaiting;
    private volatile boolean running;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> holdSweeper;

    @Inject
    public BayeuxServer(Engine engine, SessionService sessions, Authenticator authenticator, EngineThreads threads,
                        Settings settings, Set<BayeuxExtension> extensions, Set<BayeuxService> services) {
        this.engine = engine;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.threads = threads;
        this.settings = BayeuxSettings.from(settings);
        this.extensions = List.copyOf(extensions);
        this.services = List.copyOf(services);
        this.connectsWithoutWaiting = sessions.store().answersWithoutWaiting() && this.extensions.isEmpty()
                && (authenticator == Authenticator.ANONYMOUS || authenticator instanceof TokenAuthenticator);
    }

    /** After the HTTP server starts, and stopped before it: held connects are answered before Jetty waits on them. */
    @Override
    public int phase() {
        return TRANSPORT + 60;
    }

    @Override
    public void start() {
        running = true;
        long period = Math.max(100, Math.min(1000, settings.maxInterval().toMillis() / 4));
        sweeper = threads.scheduler().scheduleWithFixedDelay(this::releaseIdle, period, period, TimeUnit.MILLISECONDS);
        long tick = holdTickMillis(settings.timeout());
        holdSweeper = threads.scheduler().scheduleWithFixedDelay(this::releaseDueConnects, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * How often held connects are checked for their timeout: a tenth of it, between 10 and 100 ms, so a connect
     * is answered at most that late (a client allows seconds of network delay on top of the timeout).
     */
    static long holdTickMillis(java.time.Duration timeout) {
        return Math.max(10, Math.min(100, timeout.toMillis() / 10));
    }

    @Override
    public void stop() {
        running = false;
        if (sweeper != null) {
            sweeper.cancel(false);
            holdSweeper.cancel(false);
        }
        // Held connects are answered so that clients reconnect (here after a restart, or to another node)
        // with their client ids; the sessions stay in the store.
        ObjectNode retry = advice("retry");
        for (BayeuxClient client : clients.values()) {
            clients.remove(client.id(), client);
            client.detach(retry);
        }
    }

    /** Whether WebSocket upgrades are served on the Bayeux path, so handshakes advertise {@code websocket}. */
    boolean websockets() {
        return settings.websocket();
    }

    /**
     * Whether a {@code /meta/connect} of a client this node holds is answered without waiting for the network, a
     * database or application code: the session store keeps sessions in this process, the authenticator is
     * Herald's own (anonymous, or tokens checked in this process) and no extension is bound. Then the Bayeux
     * WebSocket handles such frames on the selector thread that read them ({@link io.herald.http.SelectorReads}).
     */
    boolean connectsWithoutWaiting() {
        return connectsWithoutWaiting;
    }

    boolean isRunning() {
        return running;
    }

    /** Counters as JSON-ready values. */
    public Map<String, Object> stats() {
        return stats.toJson(clients.size());
    }

    /** How many clients this node holds now. */
    int clientCount() {
        return clients.size();
    }

    /** A client by id on this node only, or {@code null}. */
    BayeuxClient local(String clientId) {
        return clientId == null ? null : clients.get(clientId);
    }

    /** A brand-new client for {@code principal}. */
    BayeuxClient create(Principal principal, String remoteAddress, boolean ack) {
        ClientSession session = sessions.openDurable(principal);
        BayeuxClient client = new BayeuxClient(this, session, remoteAddress);
        if (ack) {
            client.enableAck();
        }
        client.open(true);
        clients.put(client.id(), client);
        return client;
    }

    /**
     * The client {@code clientId}: the one this node holds, or the session resumed from the store for
     * {@code principal} (who must be the session's principal). Empty when unknown or expired.
     */
    Optional<BayeuxClient> find(String clientId, Principal principal, String remoteAddress) {
        if (clientId == null) {
            return Optional.empty();
        }
        while (true) {
            BayeuxClient local = clients.get(clientId);
            if (local == null) {
                break;
            }
            if (local.touch()) {
                return Optional.of(local);
            }
            clients.remove(clientId, local);
        }
        Optional<ClientSession> session = sessions.resume(clientId, principal);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        BayeuxClient client = new BayeuxClient(this, session.get(), remoteAddress);
        client.open(false);
        BayeuxClient raced = clients.putIfAbsent(clientId, client);
        if (raced != null && raced.touch()) {
            client.detach(null);
            return Optional.of(raced);
        }
        if (raced != null) {
            clients.put(clientId, client);
        }
        stats.resumed.increment();
        LOG.debug("resumed Bayeux client {} from the session store", clientId);
        return Optional.of(client);
    }

    /**
     * Subscribes {@code client} to {@code channel}; with {@code after}, replays what followed that position
     * (a subscription the client already has starts over from there). Subscribing twice is harmless.
     */
    void subscribe(BayeuxClient client, ChannelName channel, Position after) {
        ChannelName named = engine.named(channel);
        subscribe(client, named.value(), named, after);
    }

    /** {@link #subscribe(BayeuxClient, ChannelName, Position)} under {@code key}. */
    void subscribe(BayeuxClient client, String key, ChannelName channel, Position after) {
        // Under the client's lock, as its drains are: a drain between the unsubscribe and the subscribe of a
        // replayed channel found it without a subscription and gave it another one under its pattern, whose rewind
        // replaced this one's, so the replay's first stretch was dropped as repeats (a loss; ClientStressTest).
        synchronized (client) {
            subscribeLocked(client, key, channel, after);
        }
    }

    private void subscribeLocked(BayeuxClient client, String key, ChannelName channel, Position after) {
        Connection connection = client.connection();
        var existing = connection.subscription(key);
        if (existing != null) {
            if (after == null) {
                return;
            }
            Position written = existing.cursor();
            connection.unsubscribe(key, false);
            client.replaying(channel, after, written);
        } else if (after != null) {
            client.replaying(channel, after, null);
        } else if (client.ack() && key.equals(channel.value())) {
            takeOverFromPatterns(client.id(), connection, channel);
        }
        try {
            // Core's ack window is per exact channel: a pattern stays automatic, and for an acking client each of its
            // channels gets an acknowledged subscription of its own as it appears (PatternChannels).
            boolean acked = client.ack() && !channel.isPattern();
            connection.subscribe(key, channel, after == null ? Resume.live() : Resume.after(after),
                    acked ? AckMode.CUMULATIVE : AckMode.AUTO, acked ? settings.ackWindow() : 0);
        } catch (InvalidRequestException e) {
            if (connection.subscription(key) == null) {
                throw e;
            }
            // A concurrent subscribe to the same channel won: it is subscribed, as asked.
        }
    }

    /**
     * A channel subscribed on its own that a pattern already brought with an acknowledged subscription of its own
     * ({@link PatternChannels}): that one ends, and the channel's subscription, made next, resumes where it stood
     * from the session (its cursor, and its unacked messages, redelivered). Kept both, the client had two
     * acknowledged streams of the channel, each message queued twice: the second copy is never written, so never
     * acknowledged, and the redelivery after a lost batch wrote every unacked message twice (Bayeux: one copy per
     * client per publish).
     */
    private void takeOverFromPatterns(String clientId, Connection connection, ChannelName channel) {
        Boolean taken = null;
        for (var subscription : List.copyOf(connection.subscriptions())) {
            if (PatternChannels.patternOf(subscription.key()) == null || !subscription.channel().equals(channel)) {
                continue;
            }
            if (taken == null) {
                // A session the channel's own subscription is recorded in already (resumed) keeps that one's state.
                taken = sessions.store().find(clientId).map(r -> r.subscriptions().containsKey(channel.value())).orElse(true);
            }
            Position cursor = subscription.cursor();
            List<Position> unacked = subscription.unacked();
            connection.unsubscribe(subscription.key(), true);
            if (!taken && cursor != null) {
                sessions.store().subscribe(clientId, new io.herald.api.SessionSubscription(channel.value(), channel, true,
                        cursor, unacked));
                taken = true;
            }
        }
    }

    /**
     * Lets go of {@code client} on this node; its session lives on in the store. Removed from the table only once
     * detached (its cursors kept): a request that found it missing before would resume the session from cursors
     * this connection had not kept yet (see {@link BayeuxClient#detach}).
     */
    void detach(BayeuxClient client) {
        client.detach(advice("retry"));
        clients.remove(client.id(), client);
    }

    /** The client left on purpose (/meta/disconnect): its session ends everywhere. */
    void end(BayeuxClient client) {
        clients.remove(client.id(), client);
        client.detach(advice("none"));
        sessions.end(client.id());
    }

    /** The principal of {@code credentials}; throws {@link io.herald.api.AuthenticationException} when refused. */
    Principal authenticate(String token, String remoteAddress) {
        return authenticator.authenticate(new Credentials(token, remoteAddress));
    }

    /** Runs the outgoing hooks, last bound first. */
    void outgoing(BayeuxExtension.Context context, ObjectNode reply) {
        for (int i = extensions.size() - 1; i >= 0; i--) {
            try {
                extensions.get(i).outgoing(context, reply);
            } catch (RuntimeException e) {
                LOG.warn("Bayeux extension {} failed on an outgoing reply: {}", extensions.get(i).getClass().getName(), e.toString());
            }
        }
    }

    /** Advice with {@code reconnect} and the timings clients need. */
    ObjectNode advice(String reconnect) {
        ObjectNode advice = JsonNodeFactory.instance.objectNode();
        advice.put("reconnect", reconnect);
        advice.put("interval", "handshake".equals(reconnect) ? 0 : settings.interval().toMillis());
        advice.put("timeout", settings.timeout().toMillis());
        // CometD clients rehandshake only when they have been away longer than this: the session TTL.
        advice.put("maxInterval", sessions.ttl().toMillis());
        return advice;
    }

    /**
     * Answers the held connects whose timeout passed. One sweep for every client instead of a timer per held
     * connect: an idle client always has one held, and a scheduled task weighs about 100 bytes. A failure answering
     * one client is logged and the sweep goes on (an exception would end the repeating task for every client).
     */
    private void releaseDueConnects() {
        long now = System.nanoTime();
        for (BayeuxClient client : clients.values()) {
            try {
                client.releaseIfDue(now);
            } catch (RuntimeException e) {
                LOG.warn("answering the held connect of Bayeux client {} at its timeout failed: {}", client.id(), e.toString());
            }
        }
    }

    private void releaseIdle() {
        long limit = settings.maxInterval().toNanos();
        long now = System.nanoTime();
        for (BayeuxClient client : clients.values()) {
            if (!client.isHolding() && now - client.lastSeen() > limit && client.detachIfIdle(limit, null)) {
                clients.remove(client.id(), client);
                LOG.debug("Bayeux client {} sent no connect for {}: released on this node", client.id(), settings.maxInterval());
            }
        }
    }
}
