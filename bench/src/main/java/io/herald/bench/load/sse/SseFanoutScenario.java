package io.herald.bench.load.sse;

import io.herald.bench.load.DeliverySink;
import io.herald.bench.load.LoadOptions;
import io.herald.bench.load.MeasuredWindow;
import io.herald.bench.load.Scenario;
import io.herald.bench.load.ServerProbe;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sse-fanout}: N SSE streams on one channel and a publisher at the run's fixed rate; every message
 * is expected once, in order, on every stream (N deliveries per send). An event of another type than a
 * plain message (Herald's {@code missedevents}) or a stream that ends during the run counts as an error.
 *
 * <p>The same scenario runs against Herald, the raw ceiling and Nchan: only the {@link SseTarget} and the
 * probe differ. It also reads the load generator's own CPU share over the measured window
 * ({@link #clientCpuShare()}), so a run limited by the client rather than the server can be told apart.
 */
public final class SseFanoutScenario implements Scenario {

    private final SseTarget target;
    private final int subscribers;
    private final SsePublisher publisher;
    private final ServerProbe probe;
    private final long measureFrom;
    private final List<InetAddress> bindAddresses;
    private final int ioThreads;
    private final int maxPending;
    private final MeasuredWindow window;
    private SoftirqSampler softirq = SoftirqSampler.none();
    private SseStreams streams;
    private volatile DeliverySink sink;
    private volatile boolean open;
    private volatile boolean sending;

    /**
     * @param measureFrom the first measured sequence number (the warm-up sends), where the client CPU
     *     reading starts
     */
    public SseFanoutScenario(SseTarget target, int subscribers, SsePublisher publisher, ServerProbe probe, long measureFrom,
                             List<InetAddress> bindAddresses, int ioThreads, int maxPending) {
        this.target = target;
        this.subscribers = subscribers;
        this.publisher = publisher;
        this.probe = probe;
        this.window = new MeasuredWindow(probe);
        this.measureFrom = measureFrom;
        this.bindAddresses = bindAddresses;
        this.ioThreads = ioThreads;
        this.maxPending = maxPending;
    }

    /**
     * {@code sse-fanout} against the Herald whose publish API is {@code options.url()}: {@code --connections}
     * streams on {@code --channel}, publishing over HTTP.
     */
    public static SseFanoutScenario herald(LoadOptions options, ServerProbe probe) {
        URI url = options.url();
        SseTarget target = SseTarget.herald(url.getHost(), url.getPort(), options.channel());
        target = new SseTarget(target.name(), target.server(), target.streamPath(), url, true, options.channel());
        try {
            return new SseFanoutScenario(target, options.connections(), new HttpSsePublisher(target, options.pad()), probe,
                    options.warmupSends(), SseStreams.loopbackAliases(16), 1, 32);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a publisher to " + url + ": " + e, e);
        }
    }

    /**
     * Samples the server CPU's softirq time over the measured window with {@code sampler} (armed here, begun at
     * the first measured send); call before the run.
     */
    SseFanoutScenario sampling(SoftirqSampler sampler) {
        this.softirq = sampler;
        sampler.arm();
        return this;
    }

    @Override
    public String name() {
        return "sse-" + target.name();
    }

    @Override
    public void open(DeliverySink sink) throws Exception {
        this.sink = sink;
        streams = new SseStreams(target.server(), subscribers, ioThreads, bindAddresses, maxPending, new SseStreams.Listener() {
            @Override
            public void onEvent(int stream, String type, long seq) {
                if (type == null || type.equals("message")) {
                    if (seq >= 0 && !sending) {
                        // A stream that starts live has nothing to receive yet: this is a replay of an old run.
                        sink.failed(-1, "stream " + stream + " of " + target.name() + " got message " + seq + " before any was sent");
                    } else if (seq >= 0) {
                        sink.delivered(stream, seq);
                    }
                } else if (type.equals("missedevents")) {
                    sink.failed(-1, "stream " + stream + " of " + target.name() + " was told it missed events");
                }
            }

            @Override
            public void onEnd(int stream, String reason) {
                if (open) {
                    sink.failed(-1, "stream " + stream + " of " + target.name() + " ended: " + reason);
                }
            }
        });
        open = true;
        for (int i = 0; i < subscribers; i++) {
            streams.open(i, target.streamPath(), null);
        }
        if (!streams.awaitConnected(subscribers, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(target.name() + ": only " + streams.connected() + " of " + subscribers
                    + " SSE streams got a 200 within 120 s (" + streams.ended() + " ended)");
        }
    }

    @Override
    public void send(long seq) {
        sending = true;
        if (seq == measureFrom) {
            window.open();
            softirq.begin();
        }
        publisher.publish(seq, sink);
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

    /** The load generator's CPU time over the measured window divided by its wall time (1.0 = one core busy). */
    public double clientCpuShare() {
        return window.clientCpuShare();
    }

    /**
     * CPU time the rest of the machine (neither the server nor this load generator) used over the measured
     * window, divided by its wall time: other builds or benchmarks on a shared box. Above ~0.1 the run was
     * disturbed. -1 when unknown.
     */
    public double otherCpuShare() {
        return window.otherCpuShare();
    }

    /** The server CPU's softirq figures over the measured window; unknown without {@link #sampling}. */
    SoftirqSampler.Figures softirq() {
        return softirq.figures();
    }

    /** The streams, while open. */
    SseStreams streams() {
        return streams;
    }

    @Override
    public void close() throws Exception {
        window.close();
        softirq.stop();
        open = false;
        try {
            if (streams != null) {
                streams.close();
            }
        } finally {
            publisher.close();
        }
    }
}
