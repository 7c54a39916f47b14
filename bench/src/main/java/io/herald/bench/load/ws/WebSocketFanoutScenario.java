package io.herald.bench.load.ws;

import io.herald.bench.load.DeliverySink;
import io.herald.bench.load.MeasuredWindow;
import io.herald.bench.load.Scenario;
import io.herald.bench.load.ServerProbe;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * N subscriber WebSockets on one channel and a publisher at the run's fixed rate, for a protocol over
 * WebSocket (STOMP, Bayeux): every message is expected once, in order, on every subscriber. Subclasses
 * speak the protocol: how a subscriber logs in and subscribes ({@link #subscriber}), and how the publisher
 * connects and sends ({@link #openPublisher}, {@link #publish}). The same scenario runs against Herald and
 * its peer; only the URI and the probe differ.
 *
 * <p>Like {@code sse-fanout} it reads the load generator's own CPU share and the rest of the machine's over
 * the measured window, so a run limited by the client, or disturbed by other work, can be told apart.
 * Lifecycle as {@link Scenario}; {@link #send} runs on the scheduler thread only.
 */
public abstract class WebSocketFanoutScenario implements Scenario {

    /** One subscriber connection: ready once subscribed (or failed). */
    public interface Subscriber {
        /** Completes when the subscription is in place, exceptionally when it was refused. */
        CompletableFuture<Void> ready();
    }

    private final String name;
    private final URI uri;
    private final int subscribers;
    private final ServerProbe probe;
    private final long measureFrom;
    private final int maxPending;
    private final MeasuredWindow window;
    private final WebSocketClient client = new WebSocketClient();
    private final List<Subscriber> opened = new ArrayList<>();
    private volatile DeliverySink sink;
    private volatile boolean open;
    private volatile boolean sending;

    protected WebSocketFanoutScenario(String name, URI uri, int subscribers, ServerProbe probe, long measureFrom, int maxPending) {
        this.name = name;
        this.uri = uri;
        this.subscribers = subscribers;
        this.probe = probe;
        this.window = new MeasuredWindow(probe);
        this.measureFrom = measureFrom;
        this.maxPending = maxPending;
        client.setMaxTextMessageSize(16 * 1024 * 1024);
        client.setMaxBinaryMessageSize(16 * 1024 * 1024);
        client.setIdleTimeout(java.time.Duration.ofMinutes(5));
    }

    /** A new subscriber endpoint, number {@code index}; it reports deliveries with {@link #delivered}. */
    protected abstract Object subscriber(int index);

    /** Connects the publisher (called after every subscriber is ready). */
    protected abstract void openPublisher() throws Exception;

    /** Sends message {@code seq} without blocking; a failure goes to {@link #failed}. */
    protected abstract void publish(long seq);

    /** Closes the publisher. */
    protected abstract void closePublisher() throws Exception;

    /** The WebSocket upgrade request for {@code uri} (subprotocols and headers the protocol needs). */
    protected ClientUpgradeRequest upgradeRequest() {
        return new ClientUpgradeRequest();
    }

    protected final WebSocketClient client() {
        return client;
    }

    protected final URI uri() {
        return uri;
    }

    /** Subscriber {@code index} received message {@code seq}. */
    protected final void delivered(int index, long seq) {
        if (!sending) {
            // Subscriptions start live: a message before the first send is a leftover of another run.
            failed(-1, name + ": subscriber " + index + " got message " + seq + " before any was sent");
            return;
        }
        sink.delivered(index, seq);
    }

    /** Something went wrong with message {@code seq} (-1: not a message's fault). */
    protected final void failed(long seq, String reason) {
        DeliverySink s = sink;
        if (s != null) {
            s.failed(seq, reason);
        }
    }

    /** A subscriber's connection ended; an error while the run is open. */
    protected final void ended(int index, String reason) {
        if (open) {
            failed(-1, name + ": subscriber " + index + " ended: " + reason);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(DeliverySink sink) throws Exception {
        this.sink = sink;
        client.start();
        open = true;
        // Bounded connects in flight, so the server's accept queue never overflows (a SYN retry costs 1 s).
        Semaphore pending = new Semaphore(maxPending);
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            pending.acquire();
            Object endpoint = subscriber(i);
            opened.add((Subscriber) endpoint);
            CompletableFuture<Void> r = ((Subscriber) endpoint).ready();
            r.whenComplete((v, e) -> pending.release());
            client.connect(endpoint, uri, upgradeRequest()).whenComplete((session, e) -> {
                if (e != null) {
                    r.completeExceptionally(e);
                }
            });
            ready.add(r);
        }
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            long done = ready.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
            throw new IllegalStateException(name + ": only " + done + " of " + subscribers + " subscribers were subscribed within 120 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(name + ": a subscriber failed: " + e.getCause(), e.getCause());
        }
        openPublisher();
    }

    @Override
    public void send(long seq) {
        sending = true;
        if (seq == measureFrom) {
            window.open();
        }
        publish(seq);
    }

    @Override
    public int deliveriesPerSend() {
        return subscribers;
    }

    @Override
    public boolean ordered() {
        return true;
    }

    @Override
    public ServerProbe probe() {
        return probe;
    }

    /** The load generator's CPU time over the measured window divided by its wall time (1.0 = one core). */
    public double clientCpuShare() {
        return window.clientCpuShare();
    }

    /** CPU the rest of the machine used over the measured window, per wall second; -1 when unknown. */
    public double otherCpuShare() {
        return window.otherCpuShare();
    }

    /**
     * Lets the subscribers leave as their protocol's clients do when they are done, before their connections
     * close; by default they just close. Called once the run is over.
     */
    protected void leave(List<Subscriber> subscribers) throws Exception {
    }

    @Override
    public void close() throws Exception {
        window.close();
        open = false;
        try {
            closePublisher();
            leave(opened);
        } finally {
            client.stop();
        }
    }
}
