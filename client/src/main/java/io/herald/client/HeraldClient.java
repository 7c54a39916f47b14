package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Position;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Herald client over Bayeux that reconnects, rejoins every channel it joined, resumes without loss and
 * survives its own restart, with no application code.
 *
 * <pre>{@code
 * HeraldClient client = HeraldClient.builder(URI.create("http://localhost:8080/bayeux"))
 *         .identityStore(IdentityStore.file(Path.of("client.json")))
 *         .onMissed(gap -> log.warn("missed {}", gap))
 *         .build();
 * client.connect().join();
 * client.subscribe("/chat/*", m -> System.out.println(m.channel() + " " + m.json())).join();
 * Position p = client.publish("/chat/room1", Map.of("text", "hi")).join();
 * client.stop();         // leaves the session alive: a restarted process resumes it
 * }</pre>
 *
 * <p>Thread model: one protocol thread per client owns the conversation; Jetty's I/O threads only parse and
 * hand over; handlers, the state listener and the missed-messages listener run one at a time, in order, on the
 * handler executor (a dedicated thread unless {@link Builder#executor} gives one). {@link #close()} (or
 * {@link #stop()} / {@link #disconnect()}) releases every thread the client started: its protocol and handler
 * threads, and the I/O threads of its own transport; a {@link HeraldTransport} shared through
 * {@link Builder#transport} keeps running until it is closed itself. Thread-safe.
 */
public final class HeraldClient implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Receives connection state changes, with the cause of a drop when there is one. */
    @FunctionalInterface
    public interface ConnectionStateListener {
        void stateChanged(ConnectionState state, Throwable cause);
    }

    private final Options options;
    private final ScheduledExecutorService protocol;
    private final ExecutorService ownedExecutor;
    private final HeraldTransport transport;
    /** Whether {@link #transport} is this client's alone, stopped with it. */
    private final boolean ownsTransport;
    private final BayeuxSession session;
    private volatile boolean webSocketRefused;
    private volatile boolean closed;

    private HeraldClient(Options options) {
        this.options = options;
        int n = INSTANCES.incrementAndGet();
        this.protocol = Executors.newSingleThreadScheduledExecutor(daemon("herald-client-" + n));
        this.ownedExecutor = options.executor == null ? Executors.newSingleThreadExecutor(daemon("herald-client-" + n + "-handlers")) : null;
        this.ownsTransport = options.transport == null;
        try {
            this.transport = ownsTransport ? HeraldTransport.owned("herald-client-" + n, options.maxNetworkDelay) : options.transport;
        } catch (RuntimeException e) {
            protocol.shutdownNow();
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
            throw e;
        }
        Dispatcher dispatcher = new Dispatcher(ownedExecutor != null ? ownedExecutor : options.executor);
        this.session = new BayeuxSession(options, protocol, dispatcher, this::openLink);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A builder for a client of the Bayeux endpoint {@code url}, e.g. {@code http://localhost:8080/bayeux}. */
    public static Builder builder(URI url) {
        return new Builder(url);
    }

    // WebSocket first; long polling when the server refuses the upgrade (or WebSocket is not allowed).
    private CompletableFuture<Link> openLink(Link.Listener listener) {
        boolean ws = options.transports.contains("websocket") && !webSocketRefused;
        boolean lp = options.transports.contains("long-polling");
        if (!ws) {
            return CompletableFuture.completedFuture(new LongPollingLink(transport.http, options.uri, listener));
        }
        return WebSocketLink.open(transport.webSocket, options.uri, options.maxNetworkDelay, listener).handle((link, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(link);
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (WebSocketLink.refused(cause) && lp) {
                webSocketRefused = true;
                return CompletableFuture.<Link>completedFuture(new LongPollingLink(transport.http, options.uri, listener));
            }
            return CompletableFuture.<Link>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /**
     * Starts the client: opens a link and handshakes (resuming the stored client id). The future completes
     * at the first successful {@code /meta/connect}; the client keeps (re)connecting whatever happens to it.
     */
    public CompletableFuture<Void> connect() {
        ensureOpen();
        return session.start();
    }

    /**
     * Subscribes {@code handler} to {@code channel}, a channel or a pattern ({@code /chat/*}, {@code /chat/**}).
     * The subscription is joined again after every reconnect and re-handshake, exact channels from the last
     * position handled. The future completes when the server confirmed it, or fails with the server's refusal
     * (and the client forgets the subscription).
     *
     * @throws IllegalArgumentException for a malformed channel, or a {@code /meta} channel
     */
    public CompletableFuture<Void> subscribe(String channel, MessageHandler handler) {
        ensureOpen();
        Objects.requireNonNull(handler, "handler");
        ChannelName name = channel(channel);
        if (name.isMeta()) {
            throw new IllegalArgumentException("cannot subscribe to the meta channel " + channel);
        }
        Subscriptions.Subscription s = new Subscriptions.Subscription(name, handler);
        protocol.execute(() -> session.subscribe(s));
        return s.confirmed;
    }

    /** Leaves {@code channel} (as subscribed); it is not joined again. */
    public CompletableFuture<Void> unsubscribe(String channel) {
        ensureOpen();
        ChannelName name = channel(channel);
        CompletableFuture<Void> done = new CompletableFuture<>();
        protocol.execute(() -> session.unsubscribe(name, done));
        return done;
    }

    /**
     * Publishes {@code data} (anything Jackson writes: a map, a record, a {@link JsonNode}, a string) to the
     * exact channel {@code channel}; the future completes with the position Herald gave it (null from a server
     * that gives none). Published once: when the link drops before the reply, the future fails, since the
     * client cannot know whether the server got it.
     *
     * @throws IllegalArgumentException for a malformed channel, a pattern, or a {@code /meta} channel
     */
    public CompletableFuture<Position> publish(String channel, Object data) {
        ensureOpen();
        ChannelName name = channel(channel);
        if (name.isPattern() || name.isMeta()) {
            throw new IllegalArgumentException("cannot publish to " + channel + ": publish to one exact, non-meta channel");
        }
        JsonNode json = BayeuxSession.JSON.valueToTree(data);
        if (json == null || json.isMissingNode()) {
            throw new IllegalArgumentException("cannot publish nothing to " + channel);
        }
        CompletableFuture<Position> done = new CompletableFuture<>();
        protocol.execute(() -> session.publish(name, json, done));
        return done;
    }

    /** Publishes the JSON text {@code json}. @throws IllegalArgumentException when it is not JSON */
    public CompletableFuture<Position> publishJson(String channel, String json) {
        try {
            return publish(channel, BayeuxSession.JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot publish to " + channel + ": not JSON: " + e.getMessage());
        }
    }

    /** The current state. */
    public ConnectionState state() {
        return session.state();
    }

    /** The Bayeux client id, or null before the first handshake (and after {@link #disconnect()}). */
    public String clientId() {
        return session.clientId();
    }

    /**
     * Stops without telling the server: the session, its subscriptions and what is published to them wait on
     * the server for its TTL, and a client built on the same {@link IdentityStore} resumes them. Saves the
     * identity and releases every thread.
     */
    public void stop() {
        if (closed) {
            return;
        }
        run(session::stop);
        release();
    }

    /** Ends the session on the server, forgets the identity, and releases every thread. */
    public void disconnect() {
        if (closed) {
            return;
        }
        try {
            CompletableFuture.supplyAsync(session::disconnect, protocol).thenCompose(f -> f)
                    .get(options.maxNetworkDelay.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Not answered in time: the session expires on the server by itself.
        }
        release();
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void run(Runnable task) {
        try {
            CompletableFuture.runAsync(task, protocol).get(options.maxNetworkDelay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the client did not stop in time", e);
        }
    }

    private synchronized void release() {
        if (closed) {
            return;
        }
        closed = true;
        protocol.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        if (ownsTransport) {
            transport.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the client is closed (" + session.state() + ")");
        }
    }

    private static ChannelName channel(String channel) {
        Objects.requireNonNull(channel, "channel");
        try {
            return ChannelName.of(channel);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid channel '" + channel + "': " + e.getMessage(), e);
        }
    }

    /** The settings a client is built with. */
    static final class Options {
        URI uri;
        IdentityStore identityStore = IdentityStore.memory();
        java.util.concurrent.Executor executor;
        boolean acknowledged;
        boolean batchAcknowledgements = true;
        Backoff backoff;
        int maxAttempts = -1;
        List<String> transports = List.of("websocket", "long-polling");
        ConnectionStateListener stateListener;
        Consumer<Gap> missedListener;
        Duration saveInterval = Duration.ofSeconds(1);
        Duration maxNetworkDelay = Duration.ofSeconds(10);
        HeraldTransport transport;
    }

    /** Builds a {@link HeraldClient}. Not thread-safe. */
    public static final class Builder {
        private final Options options = new Options();
        private Duration backoffInitial = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Random random;

        private Builder(URI url) {
            Objects.requireNonNull(url, "url");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException("the Bayeux URL must be http:// or https://, was " + url);
            }
            options.uri = url;
        }

        /** Where the client id and positions live across restarts (default: memory). */
        public Builder identityStore(IdentityStore store) {
            options.identityStore = Objects.requireNonNull(store, "identityStore");
            return this;
        }

        /** Where handlers and listeners run, one at a time (default: a thread of the client's own). */
        public Builder executor(java.util.concurrent.Executor executor) {
            options.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Acknowledged mode: a handler's normal return acknowledges, an exception has the message redelivered. */
        public Builder acknowledged(boolean acknowledged) {
            options.acknowledged = acknowledged;
            return this;
        }

        /**
         * Outside acknowledged mode too, acknowledges every batch (once its handlers returned) to a server that
         * grants the ack extension, so that the server redelivers what a reply lost in a cut carried on any channel,
         * also one known only through a wildcard (default: on). Off, the client acknowledges positions
         * ({@code ext.herald.ack}) instead, which cannot cover a channel it has not had a message of yet (see the
         * README).
         */
        public Builder batchAcknowledgements(boolean on) {
            options.batchAcknowledgements = on;
            return this;
        }

        /** Backoff between reconnects: full jitter under {@code min(max, initial * 2^n)} (default 250 ms, 30 s). */
        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** The jitter's random source (seed it for reproducible runs). */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Gives up (state {@code DISCONNECTED}) after this many failed reconnects in a row; default: never. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("maxAttempts must be >= 0, was " + attempts);
            }
            options.maxAttempts = attempts;
            return this;
        }

        /** The connection types allowed, in order of preference: {@code websocket}, {@code long-polling}. */
        public Builder transports(String... types) {
            List<String> list = List.of(types);
            if (list.isEmpty() || !List.of("websocket", "long-polling").containsAll(list)) {
                throw new IllegalArgumentException("transports are websocket and/or long-polling, was " + list);
            }
            options.transports = list;
            return this;
        }

        public Builder onStateChange(ConnectionStateListener listener) {
            options.stateListener = listener;
            return this;
        }

        /** Told of every gap: messages history no longer held, in the server's {@link Gap} terms. */
        public Builder onMissed(Consumer<Gap> listener) {
            options.missedListener = listener;
            return this;
        }

        /** How often moved positions are saved to the identity store at most (default 1 s). */
        public Builder saveInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("saveInterval must be positive, was " + interval);
            }
            options.saveInterval = interval;
            return this;
        }

        /** How long a reply may take beyond the server's connect hold before the link counts as dead (10 s). */
        public Builder maxNetworkDelay(Duration delay) {
            if (delay == null || delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("maxNetworkDelay must be positive, was " + delay);
            }
            options.maxNetworkDelay = delay;
            return this;
        }

        /**
         * Shares {@code transport} (its Jetty HTTP and WebSocket clients and their I/O threads) with the other
         * clients built on it, instead of starting a transport of its own: much less heap and no I/O threads per
         * client. The client does not stop it; the application closes it after its last client.
         */
        public Builder transport(HeraldTransport transport) {
            Objects.requireNonNull(transport, "transport");
            if (!transport.isRunning()) {
                throw new IllegalArgumentException("the transport is closed");
            }
            options.transport = transport;
            return this;
        }

        public HeraldClient build() {
            options.backoff = new Backoff(backoffInitial, backoffMax, random != null ? random : new Random());
            return new HeraldClient(options);
        }
    }
}
