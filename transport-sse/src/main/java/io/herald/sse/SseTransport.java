package io.herald.sse;

import io.herald.api.Authenticator;
import io.herald.api.Lifecycle;
import io.herald.core.Engine;
import io.herald.core.EngineThreads;
import io.herald.core.OpenConnections;
import io.herald.core.SessionService;
import io.herald.core.config.Settings;
import io.herald.http.Cors;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

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
    /** Ended flushing their last bytes on Jetty's threads, before the shared threads stop. */
    final OpenConnections<SseConnection> connections = new OpenConnections<>(SseConnection::end);
    final EngineThreads threads;

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
        connections.start();
    }

    @Override
    public void stop() {
        connections.stop();
    }

    boolean isRunning() {
        return connections.accepting();
    }

    /** Counters as JSON-ready values. */
    public java.util.Map<String, Object> stats() {
        return stats.toJson();
    }
}
