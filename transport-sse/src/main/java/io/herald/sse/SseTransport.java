package io.herald.sse;

import io.herald.api.Authenticator;
import io.herald.api.Lifecycle;
import io.herald.core.Engine;
import io.herald.core.EngineThreads;
import io.herald.core.SessionService;
import io.herald.core.config.Settings;
import io.herald.http.Cors;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every SSE connection shares: the engine, the encoder and its cache, the counters, the node's shared
 * threads (timers for heartbeats and long polls, writers), and the set of open connections so that a stop ends them all
 * (their clients reconnect elsewhere and resume). Thread-safe.
 */
@Singleton
public final class SseTransport implements Lifecycle {

    final Engine engine;
    final SessionService sessions;
    final Authenticator authenticator;
    final SseEncoder encoder = new SseEncoder();
    final SseStats stats = new SseStats();
    final Cors cors;
    final Duration heartbeat;
    final Duration retry;
    final Duration pollTimeout;
    final Duration pollBatch;
    final int maxChannels;
    final Set<SseConnection> connections = ConcurrentHashMap.newKeySet();
    final EngineThreads threads;
    private volatile boolean running;

    @Inject
    public SseTransport(Engine engine, SessionService sessions, Authenticator authenticator, Settings settings, EngineThreads threads) {
        this.engine = engine;
        this.sessions = sessions;
        this.threads = threads;
        this.authenticator = authenticator;
        SseSettings sse = SseSettings.from(settings);
        this.heartbeat = sse.heartbeat();
        this.retry = sse.retry();
        this.pollTimeout = sse.pollTimeout();
        this.pollBatch = sse.pollBatch();
        this.maxChannels = sse.maxChannels();
        this.cors = Cors.from(settings);
    }

    /** After the HTTP server starts and, more to the point, stopped before it: streams end before Jetty waits on them. */
    @Override
    public int phase() {
        return TRANSPORT + 60;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        // Ended connections flush their last bytes on Jetty's threads, before the shared threads stop.
        for (SseConnection connection : connections) {
            connection.end();
        }
    }

    boolean isRunning() {
        return running;
    }

    /** Counters as JSON-ready values. */
    public java.util.Map<String, Object> stats() {
        return stats.toJson();
    }
}
