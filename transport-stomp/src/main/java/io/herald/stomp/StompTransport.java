package io.herald.stomp;

import io.herald.api.Authenticator;
import io.herald.api.Authorizer;
import io.herald.api.Lifecycle;
import io.herald.core.Engine;
import io.herald.core.EngineThreads;
import io.herald.core.OpenConnections;
import io.herald.core.SessionService;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every STOMP connection shares, whichever link it came over: the engine and session layer, the
 * authenticator, the durable subscriptions, the settings, the node's shared threads, counters, and the set of
 * open connections so that a stop ends them all (clients reconnect and resume). Thread-safe.
 */
@Singleton
public final class StompTransport implements Lifecycle {

    final Engine engine;
    final SessionService sessions;
    final Authenticator authenticator;
    final EngineThreads threads;
    final StompSettings settings;
    final DurableSubscriptions durables;
    final StompPublications publications;
    /** MESSAGE frames encoded once per message and shared by the subscribers they go to. */
    final StompMessageFrames frames = new StompMessageFrames();
    /** The unacked window of a shared queue: below the outbox, so acknowledged delivery pauses, never cuts off. */
    final int queueWindow;
    private final java.util.Map<io.herald.api.ChannelName, StompQueue> queues = new ConcurrentHashMap<>();
    final OpenConnections<StompConnection> connections = new OpenConnections<>(StompConnection::shutdown);
    final AtomicLong opened = new AtomicLong();
    final LongAdder messages = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder cutOffs = new LongAdder();

    @Inject
    StompTransport(Engine engine, SessionService sessions, Authenticator authenticator, Authorizer authorizer, EngineThreads threads,
                   Settings settings, DurableSubscriptions durables) {
        this.engine = engine;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.threads = threads;
        this.settings = StompSettings.from(settings);
        this.durables = durables;
        this.queueWindow = Math.max(1, Math.min(256, settings.get(CoreSettings.SUBSCRIBER_QUEUE) / 2));
        this.publications = new StompPublications(authorizer, settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD));
    }

    /** Beside the other transports: after the HTTP server starts, stopped before it. */
    @Override
    public int phase() {
        return TRANSPORT + 60;
    }

    @Override
    public void start() {
        connections.start();
    }

    @Override
    public void stop() {
        connections.stop();
    }

    /** The shared queue of a {@code /queue/<name>} destination. */
    StompQueue queue(StompDestination destination) {
        return queues.computeIfAbsent(destination.channel(), c -> new StompQueue(this, destination));
    }

    boolean isRunning() {
        return connections.accepting();
    }

    /** Open STOMP connections now. */
    public int connected() {
        return connections.size();
    }

    /** Every open connection's subscriptions with their window, unacked and engine state: for diagnostics. */
    public String describeConnections() {
        StringBuilder out = new StringBuilder();
        for (StompConnection c : connections) {
            out.append(out.isEmpty() ? "" : "\n  ").append(c.describe());
        }
        return out.toString();
    }

    /** Counters as JSON-ready values. */
    public java.util.Map<String, Object> stats() {
        return java.util.Map.of("connected", connections.size(), "opened", opened.get(), "messages", messages.sum(),
                "errors", errors.sum(), "cutOffs", cutOffs.sum(), "durableSubscriptions", durables.size());
    }
}
