package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The Bayeux conversation of one {@link HeraldClient}: handshake (resuming the saved client id), rejoin, the
 * connect loop, reconnects with backoff, positions, duplicates and acknowledgements.
 *
 * <p>Thread model: every field is owned by one single-threaded scheduler (the protocol thread); links hand
 * what they receive over to it, and it hands messages and notices to the {@link Dispatcher}, which runs the
 * application's callbacks. Handlers therefore never run on an I/O thread nor on the protocol thread.
 */
final class BayeuxSession implements Link.Listener {

    private static final System.Logger LOG = System.getLogger(BayeuxSession.class.getName());
    static final ObjectMapper JSON = new ObjectMapper();

    private final HeraldClient.Options options;
    private final ScheduledExecutorService protocol;
    private final Dispatcher dispatcher;
    private final Links links;
    final Subscriptions subscriptions;
    private final Map<String, Pending> pending = new HashMap<>();
    private final List<Runnable> afterHandshake = new ArrayList<>();
    private final Set<String> failedPositions = ConcurrentHashMap.newKeySet();
    private final Set<String> batchFailures = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    private volatile ConnectionState state = ConnectionState.NEW;
    private volatile String clientId;
    private Link link;
    private boolean handshaken;
    /**
     * The server acknowledges by batch (Herald, or CometD with its AckExtension: the handshake reply said
     * {@code ext.ack: true}): every connect acknowledges the batches received, so what a lost reply or push
     * carried is redelivered by the server, a pattern's channels included (see the README).
     */
    private boolean batchAcks;
    private int attempt;
    private long nextId;
    private long ackedBatch;
    private long adviceTimeout = 30_000;
    private long adviceInterval;
    private ScheduledFuture<?> watchdog;
    private volatile long savedVersion = -1;
    private final java.util.concurrent.atomic.AtomicLong handledVersion = new java.util.concurrent.atomic.AtomicLong();

    /** A request waiting for its reply; what to do when the link drops before it. */
    /** For tests: sees every message sent and every array received (in short), on the protocol thread. */
    static volatile Consumer<String> trace;

    private record Pending(CompletableFuture<JsonNode> reply, boolean failOnDrop, String what) {
    }

    /** Opens links; the WebSocket one is skipped once the server refused the upgrade. */
    interface Links {
        CompletableFuture<Link> open(Link.Listener listener);
    }

    BayeuxSession(HeraldClient.Options options, ScheduledExecutorService protocol, Dispatcher dispatcher, Links links) {
        this.options = options;
        this.protocol = protocol;
        this.dispatcher = dispatcher;
        this.links = links;
        Identity identity = options.identityStore.load();
        this.clientId = identity.clientId();
        this.subscriptions = new Subscriptions(identity.positions());
    }

    ConnectionState state() {
        return state;
    }

    String clientId() {
        return clientId;
    }

    CompletableFuture<Void> start() {
        protocol.execute(() -> {
            if (state == ConnectionState.NEW) {
                setState(ConnectionState.CONNECTING, null);
                long every = options.saveInterval.toMillis();
                protocol.scheduleWithFixedDelay(this::saveIfMoved, every, every, TimeUnit.MILLISECONDS);
                openLink();
            }
        });
        return firstConnect;
    }

    private boolean ended() {
        return state == ConnectionState.STOPPED || state == ConnectionState.DISCONNECTED;
    }

    private void setState(ConnectionState next, Throwable cause) {
        if (state == next) {
            return;
        }
        state = next;
        LOG.log(System.Logger.Level.DEBUG, "Herald client {0}: {1}", clientId, next);
        var listener = options.stateListener;
        if (listener != null) {
            dispatcher.execute(() -> listener.stateChanged(next, cause));
        }
    }

    // ---- links -------------------------------------------------------------------------------------------

    private void openLink() {
        if (ended()) {
            return;
        }
        links.open(this).whenComplete((opened, failure) -> protocol.execute(() -> {
            if (ended()) {
                if (opened != null) {
                    opened.close();
                }
            } else if (failure != null) {
                retry(failure);
            } else {
                link = opened;
                handshake();
            }
        }));
    }

    @Override
    public void received(Link from, JsonNode messages) {
        protocol.execute(() -> {
            try {
                onReceived(from, messages);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Herald client " + clientId + " failed on what it received", e);
                throw e;
            }
        });
    }

    @Override
    public void failed(Link from, Throwable cause) {
        protocol.execute(() -> {
            if (from == link) {
                linkLost(cause);
            }
        });
    }

    private void linkLost(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "Herald client {0} lost its link: {1}", clientId, String.valueOf(cause));
        Link lost = link;
        link = null;
        handshaken = false;
        cancelWatchdog();
        if (lost != null) {
            lost.close();
        }
        List<Pending> dropped = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : dropped) {
            if (p.failOnDrop) {
                p.reply.completeExceptionally(new HeraldClientException("the link dropped before the reply to " + p.what
                        + " (it may or may not have been done)", null));
            } else {
                p.reply.cancel(false);
            }
        }
        retry(cause);
    }

    /** Waits out the backoff, then opens a new link (the rejoin follows the handshake). */
    private void retry(Throwable cause) {
        if (ended()) {
            return;
        }
        if (options.maxAttempts >= 0 && attempt >= options.maxAttempts) {
            terminate(new HeraldClientException("gave up reconnecting to " + options.uri + " after " + attempt + " attempts: "
                    + cause, null));
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Herald client {0}: link to {1} failed (retry {2}): {3}", clientId, options.uri,
                attempt + 1, String.valueOf(cause));
        setState(state == ConnectionState.CONNECTING ? ConnectionState.CONNECTING : ConnectionState.RECONNECTING, cause);
        long delay = Math.max(adviceInterval, options.backoff.delayMillis(attempt++));
        protocol.schedule(this::openLink, delay, TimeUnit.MILLISECONDS);
    }

    private void terminate(Throwable cause) {
        setState(ConnectionState.DISCONNECTED, cause);
        firstConnect.completeExceptionally(cause);
        if (link != null) {
            link.close();
            link = null;
        }
    }

    // ---- requests ----------------------------------------------------------------------------------------

    private ObjectNode message(String channel) {
        ObjectNode m = JSON.createObjectNode();
        m.put("channel", channel);
        m.put("id", Long.toString(++nextId, 36));
        if (clientId != null && !"/meta/handshake".equals(channel)) {
            m.put("clientId", clientId);
        }
        return m;
    }

    private CompletableFuture<JsonNode> send(ObjectNode m, boolean failOnDrop, String what, long timeoutMillis) {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(m.get("id").asText(), new Pending(reply, failOnDrop, what));
        Consumer<String> t = trace;
        if (t != null) {
            t.accept("C-> " + System.identityHashCode(link) + " " + m);
        }
        link.send(JSON.createArrayNode().add(m), timeoutMillis);
        return reply;
    }

    private long requestTimeout() {
        return options.maxNetworkDelay.toMillis();
    }

    private static boolean successful(JsonNode reply) {
        return reply.path("successful").asBoolean(false);
    }

    private static String reconnectAdvice(JsonNode reply) {
        return reply.path("advice").path("reconnect").asText("retry");
    }

    // ---- handshake and rejoin ----------------------------------------------------------------------------

    private void handshake() {
        ObjectNode m = message("/meta/handshake");
        m.put("version", "1.0");
        m.put("minimumVersion", "1.0");
        m.putArray("supportedConnectionTypes").add(link.connectionType());
        ObjectNode ext = m.putObject("ext");
        if (clientId != null) {
            ext.putObject("herald").put("clientId", clientId);
        }
        // With batch acknowledgements a server that acknowledges by batch redelivers what a lost reply carried on
        // any channel, also one the client has only seen through a pattern (or not yet seen at all); a server
        // without it leaves it out of its reply, and the client acknowledges positions instead.
        if (options.acknowledged || options.batchAcknowledgements) {
            ext.put("ack", true);
        }
        Link on = link;
        cancelWatchdog();
        watchdog = protocol.schedule(() -> {
            if (on == link && !handshaken) {
                linkLost(new TimeoutException("no handshake reply within " + requestTimeout() + " ms"));
            }
        }, requestTimeout(), TimeUnit.MILLISECONDS);
        send(m, false, "the handshake", requestTimeout()).thenAccept(reply -> {
            if (on != link) {
                return;
            }
            if (successful(reply)) {
                handshaken(reply);
            } else if ("none".equals(reconnectAdvice(reply))) {
                terminate(new HeraldClientException("the server refused the handshake", reply.path("error").asText(null)));
            } else {
                linkLost(new HeraldClientException("the handshake failed", reply.path("error").asText(null)));
            }
        });
    }

    private void handshaken(JsonNode reply) {
        cancelWatchdog();
        String id = reply.path("clientId").asText(null);
        boolean resumed = id != null && id.equals(clientId);
        clientId = id;
        handshaken = true;
        ackedBatch = 0; // batch numbers are per server-side client object; a new one starts again
        batchAcks = options.batchAcknowledgements && reply.path("ext").path("ack").asBoolean(false);
        readAdvice(reply);
        LOG.log(System.Logger.Level.DEBUG, "Herald client {0} handshaken (resumed: {1})", id, resumed);
        save();
        // Rejoin: what was left offline first, then every subscription, exact ones from their position.
        List<CompletableFuture<?>> rejoin = new ArrayList<>();
        for (ChannelName gone : List.copyOf(subscriptions.leftOffline)) {
            ObjectNode m = message("/meta/unsubscribe");
            m.put("subscription", gone.value());
            rejoin.add(send(m, false, "unsubscribe " + gone, requestTimeout())
                    .thenAccept(r -> subscriptions.leftOffline.remove(gone)));
        }
        for (Subscriptions.Subscription s : List.copyOf(subscriptions.active.values())) {
            rejoin.add(sendSubscribe(s));
        }
        // Under batch acknowledgements the resumed session still has the acknowledged subscription the server gave
        // each channel of a pattern; an exact one beside it would be a second stream of the channel, and its replay
        // from the position received here rewound the server's delivery filter under the first one (a loss).
        if (!batchAcks || !resumed) {
            for (ChannelName channel : List.copyOf(subscriptions.implied.keySet())) {
                rejoin.add(subscribeImplied(channel));
            }
        }
        List<Runnable> queued = new ArrayList<>(afterHandshake);
        afterHandshake.clear();
        queued.forEach(Runnable::run);
        // The first connect waits for the rejoin's replies: over long polling the requests travel side by side,
        // and a connect answered before a replaying subscribe would deliver newer messages first, making the
        // replayed ones look like repeats.
        Link on = link;
        CompletableFuture.allOf(rejoin.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (on == link) {
                connect();
            }
        });
    }

    private void readAdvice(JsonNode reply) {
        JsonNode advice = reply.get("advice");
        if (advice != null) {
            adviceTimeout = advice.path("timeout").asLong(adviceTimeout);
            adviceInterval = advice.path("interval").asLong(adviceInterval);
        }
    }

    CompletableFuture<?> sendSubscribe(Subscriptions.Subscription s) {
        ObjectNode m = message("/meta/subscribe");
        m.put("subscription", s.channel.value());
        Position after = s.channel.isPattern() ? null : subscriptions.received.get(s.channel.value());
        if (after != null) {
            m.putObject("ext").putObject("herald").put("after", after.toString());
        }
        return send(m, false, "subscribe " + s.channel, requestTimeout()).thenAccept(reply -> {
            if (successful(reply)) {
                reply.path("ext").path("herald").path("positions").fields().forEachRemaining(e -> {
                    Position start = Positions.parse(e.getValue().asText());
                    if (start != null && subscriptions.received.putIfAbsent(e.getKey(), start) == null) {
                        subscriptions.handled.putIfAbsent(e.getKey(), start);
                    }
                });
                s.confirmed.complete(null);
            } else if ("handshake".equals(reconnectAdvice(reply)) || !handshaken) {
                // The session is gone: the re-handshake that follows subscribes again.
            } else if (subscriptions.active.get(s.channel) == s) {
                subscriptions.active.remove(s.channel);
                s.confirmed.completeExceptionally(new HeraldClientException("cannot subscribe to " + s.channel,
                        reply.path("error").asText(null)));
            }
        });
    }

    /** The exact subscription behind a channel seen through a pattern, from the position reached on it. */
    private CompletableFuture<?> subscribeImplied(ChannelName channel) {
        ObjectNode m = message("/meta/subscribe");
        m.put("subscription", channel.value());
        Position after = subscriptions.received.get(channel.value());
        if (after != null) {
            m.putObject("ext").putObject("herald").put("after", after.toString());
        }
        return send(m, false, "subscribe " + channel, requestTimeout()).thenAccept(reply -> {
            if (!successful(reply) && handshaken && !"handshake".equals(reconnectAdvice(reply))) {
                subscriptions.implied.remove(channel); // refused: the pattern alone carries it, as before
            }
        });
    }

    // ---- the connect loop --------------------------------------------------------------------------------

    private void connect() {
        if (link == null || !handshaken || ended()) {
            return;
        }
        ObjectNode m = message("/meta/connect");
        m.put("connectionType", link.connectionType());
        ObjectNode ext = m.putObject("ext");
        if (batchAcks || options.acknowledged) {
            ext.put("ack", ackedBatch);
        } else {
            // What reached this client on each channel: the server replays what a lost reply carried.
            ObjectNode positions = ext.putObject("herald").putObject("ack");
            subscriptions.received.forEach((channel, p) -> positions.put(channel, p.toString()));
        }
        Link on = link;
        long limit = adviceTimeout + options.maxNetworkDelay.toMillis();
        cancelWatchdog();
        watchdog = protocol.schedule(() -> {
            if (on == link) {
                linkLost(new TimeoutException("no /meta/connect reply within " + limit + " ms"));
            }
        }, limit, TimeUnit.MILLISECONDS);
        send(m, false, "connect", limit).thenAccept(reply -> connected(on, reply));
    }

    private void cancelWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    private void connected(Link on, JsonNode reply) {
        if (on != link || ended()) {
            return;
        }
        cancelWatchdog();
        readAdvice(reply);
        if (successful(reply)) {
            attempt = 0;
            setState(ConnectionState.CONNECTED, null);
            firstConnect.complete(null);
            JsonNode batch = reply.path("ext").get("ack");
            if ((options.acknowledged || batchAcks) && batch != null && batch.isIntegralNumber()) {
                long n = batch.asLong();
                // The next connect acknowledges this batch once its handlers have returned, in either mode: the
                // server's acknowledged cursor wins over the position a restarted process asks to resume from, so a
                // batch acknowledged on receipt and then lost with the process would be lost for good.
                dispatcher.execute(() -> {
                    Set<String> failures = Set.copyOf(batchFailures);
                    batchFailures.clear();
                    protocol.execute(() -> batchHandled(on, n, failures));
                });
            } else {
                protocol.schedule(this::connect, adviceInterval, TimeUnit.MILLISECONDS);
            }
            return;
        }
        switch (reconnectAdvice(reply)) {
            case "none" -> terminate(new HeraldClientException("the server ended the session", reply.path("error").asText(null)));
            case "handshake" -> {
                handshaken = false;
                setState(ConnectionState.RECONNECTING, new HeraldClientException("the server asks for a new handshake",
                        reply.path("error").asText(null)));
                protocol.schedule(() -> {
                    if (on == link) {
                        handshake();
                    }
                }, adviceInterval, TimeUnit.MILLISECONDS);
            }
            default -> protocol.schedule(() -> {
                if (on == link) {
                    connect();
                }
            }, Math.max(adviceInterval, options.backoff.delayMillis(attempt++)), TimeUnit.MILLISECONDS);
        }
    }

    private void batchHandled(Link on, long batch, Set<String> failures) {
        if (failures.isEmpty()) {
            ackedBatch = Math.max(ackedBatch, batch);
        } else {
            // Leave the batch unacknowledged: the server redelivers from the first unacknowledged message, and
            // what was handled before it is dropped again as a repeat.
            for (String channel : failures) {
                Position handled = subscriptions.handled.get(channel);
                if (handled == null) {
                    subscriptions.received.remove(channel);
                } else {
                    subscriptions.received.put(channel, handled);
                }
            }
        }
        if (on == link) {
            protocol.schedule(this::connect, adviceInterval, TimeUnit.MILLISECONDS);
        }
    }

    // ---- what arrives -----------------------------------------------------------------------------------

    private void onReceived(Link from, JsonNode messages) {
        if (!messages.isArray()) {
            return;
        }
        Consumer<String> t = trace;
        if (t != null) {
            StringBuilder b = new StringBuilder("C<- ").append(System.identityHashCode(from)).append(from == link ? "" : " STALE");
            for (JsonNode m : messages) {
                if (m.has("data") && !m.path("channel").asText("").startsWith("/meta/")) {
                    b.append(' ').append(m.path("channel").asText()).append('@').append(m.path("ext").path("herald").path("position").asText());
                } else {
                    b.append(' ').append(m);
                }
            }
            t.accept(b.toString());
        }
        List<JsonNode> replies = new ArrayList<>();
        for (JsonNode m : messages) {
            String channel = m.path("channel").asText("");
            if (m.has("data") && !channel.startsWith("/meta/")) {
                if (!ended()) {
                    deliver(m);
                }
            } else {
                replies.add(m);
            }
        }
        for (JsonNode reply : replies) {
            Pending p = pending.remove(reply.path("id").asText(""));
            if (p != null) {
                p.reply.complete(reply);
            }
        }
    }

    private void deliver(JsonNode m) {
        ChannelName channel;
        try {
            channel = ChannelName.of(m.get("channel").asText());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dropped a delivery on an invalid channel: {0}", m.get("channel"));
            return;
        }
        JsonNode herald = m.path("ext").path("herald");
        Position position = Positions.parse(herald.path("position").asText(null));
        if (herald.path("missedevents").asBoolean(false)) {
            gap(channel, m.path("data"), position);
            return;
        }
        String key = channel.value();
        List<Subscriptions.Subscription> targets = subscriptions.matching(channel);
        if (targets.isEmpty()) {
            // Not (yet) subscribed in this process, e.g. a resumed session delivering before the application
            // subscribed again: the position stays, so that subscription replays it; under batch acknowledgements
            // the batch stays unacknowledged, so the server brings it again (its cursor wins over a replay position).
            if (position != null && (batchAcks || options.acknowledged)) {
                dispatcher.execute(() -> batchFailures.add(key)); // in turn with the batch's handlers
            }
            return;
        }
        if (position != null) {
            Position known = subscriptions.received.get(key);
            if (known != null && known.sameEpoch(position) && position.offset() <= known.offset()) {
                return; // a repeat: a replay after a lost reply, or the overlap of a rejoin
            }
            subscriptions.received.put(key, position);
            if (!subscriptions.active.containsKey(channel) && !subscriptions.implied.containsKey(channel)
                    && handshaken && link != null) {
                subscriptions.implied.put(channel, targets.get(0).channel);
                if (!batchAcks) {
                    subscribeImplied(channel); // under batch acknowledgements the server subscribed it (see rejoin)
                }
            }
        }
        String token = key + "@" + position;
        boolean redelivered = position != null && failedPositions.remove(token);
        ClientMessage message = new ClientMessage(channel, position, m.path("id").asText(null), m.get("data"), redelivered);
        dispatcher.execute(() -> handle(message, targets, token));
    }

    /** On the handler thread. */
    private void handle(ClientMessage message, List<Subscriptions.Subscription> targets, String token) {
        String key = message.channel().value();
        if (options.acknowledged && batchFailures.contains(key)) {
            return; // comes again after the failed one, in order
        }
        boolean ok = true;
        for (Subscriptions.Subscription s : targets) {
            try {
                s.handler.onMessage(message);
            } catch (Exception | LinkageError e) {
                ok = false;
                LOG.log(System.Logger.Level.WARNING, "the handler of " + s.channel + " failed on " + key + " at "
                        + message.position(), e);
            }
        }
        if (!ok && options.acknowledged && message.position() != null) {
            batchFailures.add(key);
            failedPositions.add(token);
            return;
        }
        if (message.position() != null) {
            subscriptions.handled.put(key, message.position());
            handledVersion.incrementAndGet();
        }
    }

    private void gap(ChannelName channel, JsonNode data, Position resumeAfter) {
        JsonNode missed = data.path("missed").path(0);
        Gap gap;
        try {
            gap = new Gap(ChannelName.of(missed.path("channel").asText(channel.value())),
                    resumeAfter == null ? null : resumeAfter.epoch(),
                    missed.path("after").isNumber() ? missed.get("after").asLong() : null,
                    missed.path("firstAvailable").asLong(0),
                    missed.path("count").isNumber() ? missed.get("count").asLong() : null,
                    missed.path("reset").asBoolean(false));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dropped a gap notice the client cannot read: {0}", data);
            return;
        }
        if (resumeAfter != null && !channel.isPattern()) {
            Position known = subscriptions.received.get(channel.value());
            if (known != null && known.sameEpoch(resumeAfter) && known.offset() >= resumeAfter.offset()) {
                return; // told already: a second replay of the same stretch (a rejoin overlapping a resume)
            }
            subscriptions.received.put(channel.value(), resumeAfter);
        }
        Consumer<Gap> listener = options.missedListener;
        dispatcher.execute(() -> {
            if (listener != null) {
                listener.accept(gap);
            }
            if (resumeAfter != null && !channel.isPattern()) {
                subscriptions.handled.put(channel.value(), resumeAfter);
                handledVersion.incrementAndGet();
            }
        });
    }

    // ---- the application's requests (on the protocol thread) ---------------------------------------------

    void subscribe(Subscriptions.Subscription s) {
        if (subscriptions.active.containsKey(s.channel)) {
            s.confirmed.completeExceptionally(new IllegalStateException("already subscribed to " + s.channel
                    + "; unsubscribe it first"));
            return;
        }
        if (ended()) {
            s.confirmed.completeExceptionally(new IllegalStateException("the client is " + state + "; cannot subscribe to " + s.channel));
            return;
        }
        subscriptions.active.put(s.channel, s);
        subscriptions.leftOffline.remove(s.channel);
        subscriptions.implied.remove(s.channel);
        if (handshaken && link != null) {
            sendSubscribe(s);
        }
    }

    void unsubscribe(ChannelName channel, CompletableFuture<Void> done) {
        Subscriptions.Subscription s = subscriptions.active.remove(channel);
        if (s == null) {
            done.completeExceptionally(new IllegalArgumentException("not subscribed to " + channel));
            return;
        }
        subscriptions.forget(channel);
        List<ChannelName> leaving = new ArrayList<>();
        leaving.add(channel);
        if (channel.isPattern()) {
            // The exact channels this pattern brought in go with it, unless another subscription still covers them.
            for (var e : List.copyOf(subscriptions.implied.entrySet())) {
                if (e.getValue().equals(channel)) {
                    subscriptions.implied.remove(e.getKey());
                    if (subscriptions.matching(e.getKey()).isEmpty()) {
                        subscriptions.forget(e.getKey());
                        leaving.add(e.getKey());
                    } else {
                        subscriptions.implied.put(e.getKey(), subscriptions.matching(e.getKey()).get(0).channel);
                    }
                }
            }
        } else if (!subscriptions.matching(channel).isEmpty()) {
            leaving.remove(channel); // a pattern still covers it: keep its cursor on the server
            subscriptions.implied.put(channel, subscriptions.matching(channel).get(0).channel);
        }
        for (ChannelName gone : leaving) {
            if (handshaken && link != null) {
                ObjectNode m = message("/meta/unsubscribe");
                m.put("subscription", gone.value());
                send(m, false, "unsubscribe " + gone, requestTimeout());
            } else {
                subscriptions.leftOffline.add(gone);
            }
        }
        done.complete(null);
    }

    void publish(ChannelName channel, JsonNode data, CompletableFuture<Position> done) {
        if (ended()) {
            done.completeExceptionally(new IllegalStateException("the client is " + state + "; cannot publish to " + channel));
            return;
        }
        if (!handshaken || link == null) {
            afterHandshake.add(() -> publish(channel, data, done));
            return;
        }
        ObjectNode m = message(channel.value());
        m.set("data", data);
        send(m, true, "the publish to " + channel, requestTimeout()).thenAccept(reply -> {
            if (successful(reply)) {
                done.complete(Positions.parse(reply.path("ext").path("herald").path("position").asText(null)));
            } else if ("handshake".equals(reconnectAdvice(reply))) {
                afterHandshake.add(() -> publish(channel, data, done)); // the session was gone: nothing was published
            } else {
                done.completeExceptionally(new HeraldClientException("cannot publish to " + channel, reply.path("error").asText(null)));
            }
        });
    }

    /** Leaves without telling the server: the session, its subscriptions and its messages wait for us. */
    void stop() {
        if (ended()) {
            return;
        }
        save();
        setState(ConnectionState.STOPPED, null);
        firstConnect.completeExceptionally(new IllegalStateException("stopped"));
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** Ends the session on the server and forgets the identity. */
    CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (link != null && handshaken && !ended()) {
            ObjectNode m = message("/meta/disconnect");
            send(m, false, "disconnect", requestTimeout()).whenComplete((r, e) -> done.complete(null));
            protocol.schedule(() -> done.complete(null), requestTimeout(), TimeUnit.MILLISECONDS);
        } else {
            done.complete(null);
        }
        return done.thenRunAsync(() -> {
            options.identityStore.clear();
            clientId = null;
            terminate(new IllegalStateException("disconnected"));
        }, protocol);
    }

    // ---- identity ----------------------------------------------------------------------------------------

    private void save() {
        if (clientId == null) {
            return;
        }
        long version = handledVersion.get();
        try {
            options.identityStore.save(new Identity(clientId, Map.copyOf(subscriptions.handled)));
            savedVersion = version;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save the Herald client identity", e);
        }
    }

    private void saveIfMoved() {
        if (!ended() && handledVersion.get() != savedVersion) {
            save();
        }
    }
}
