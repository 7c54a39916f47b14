package io.herald.bench.load.sse;

import io.herald.bench.load.LoadOptions;
import io.herald.bench.load.LoadResult;
import io.herald.bench.load.LoadRun;
import io.herald.bench.load.ServerProbe;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One server under SSE load and how to reach it: the {@link SseTarget}, its probe, how to publish to it,
 * and, when it runs in a process of its own, that process (to wait, between runs, until it has let go of
 * the previous run's connections). Runs the {@code sse-fanout} scenario against it. Not thread-safe.
 */
public final class SseBench {

    /**
     * A fan-out run's figures, the load generator's CPU share while measuring (1.0 = one core) and the server
     * CPU's softirq time over the measured window ({@link SoftirqSampler.Figures#UNKNOWN} when not sampled).
     */
    public record Fanout(LoadResult result, double clientCpuShare, double otherCpuShare, SoftirqSampler.Figures softirq) {

        /** Whether the run met the sustainable bar: >= 99.9% delivered, p99 <= 100 ms, no error. */
        public boolean sustained() {
            return result.expected() > 0 && result.delivered() >= 0.999 * result.expected() && result.p99Micros() >= 0
                    && result.p99Micros() <= 100_000 && result.errors() == 0;
        }

        public String toJson() {
            String json = result.toJson();
            return json.substring(0, json.length() - 1) + ",\"clientCpuShare\":"
                    + String.format(Locale.ROOT, "%.3f", clientCpuShare) + ",\"otherCpuShare\":"
                    + String.format(Locale.ROOT, "%.3f", otherCpuShare) + ",\"sustained\":" + sustained() + ","
                    + softirq.jsonFields() + "}";
        }
    }

    private final SseTarget target;
    private final ServerProbe probe;
    private final Supplier<SsePublisher> publishers;
    private final ServerProcess process;
    private final List<InetAddress> bindAddresses;
    private final int ioThreads;
    private final int maxPending;
    private final int pad;
    private final int baselineFiles;
    private final int softirqCpu;

    /**
     * @param process the server's own process, or {@code null} when it runs in this JVM (then nothing is
     *     awaited between runs)
     * @param softirqCpu the CPU the server is pinned to, whose softirq time each fan-out samples over its
     *     measured window; -1 for none (a server not pinned, or in this JVM)
     */
    public SseBench(SseTarget target, ServerProbe probe, Supplier<SsePublisher> publishers, ServerProcess process,
                    List<InetAddress> bindAddresses, int ioThreads, int maxPending, int pad, int softirqCpu) {
        this.softirqCpu = softirqCpu;
        this.target = target;
        this.probe = probe;
        this.publishers = publishers;
        this.process = process;
        this.bindAddresses = bindAddresses;
        this.ioThreads = ioThreads;
        this.maxPending = maxPending;
        this.pad = pad;
        this.baselineFiles = process == null ? 0 : process.openFiles();
    }

    public SseTarget target() {
        return target;
    }

    public ServerProbe probe() {
        return probe;
    }

    /** Whether heap after GC can be read: a JVM server (in this process or its own), never nginx. */
    public boolean heapReadable() {
        return process == null || process.isJvm();
    }

    public int pad() {
        return pad;
    }

    /** A new publisher to the server; the caller closes it. */
    public SsePublisher publisher() {
        return publishers.get();
    }

    /** Fresh streams to the server (not opened yet). */
    public SseStreams streams(int capacity, SseStreams.Listener listener) throws java.io.IOException {
        return new SseStreams(target.server(), capacity, ioThreads, bindAddresses, maxPending, listener);
    }

    /**
     * One {@code sse-fanout} run: {@code subscribers} streams, {@code rate} messages per second for
     * {@code warmup} then {@code duration} seconds; heap after GC is read at the end when {@code heap}.
     */
    public Fanout fanout(int subscribers, double rate, double warmup, double duration, double drain, boolean heap,
                         int repetition) throws Exception {
        settle();
        LoadOptions options = LoadOptions.parse("--rate", Double.toString(rate), "--warmup", Double.toString(warmup),
                "--duration", Double.toString(duration), "--drain", Double.toString(drain), "--heap", Boolean.toString(heap && heapReadable()));
        SseFanoutScenario scenario = new SseFanoutScenario(target, subscribers, publishers.get(), probe,
                options.warmupSends(), bindAddresses, ioThreads, maxPending)
                .sampling(softirqCpu < 0 ? SoftirqSampler.none() : new SoftirqSampler(softirqCpu, duration));
        LoadResult result = new LoadRun(scenario, options).run(repetition);
        return new Fanout(result, scenario.clientCpuShare(), scenario.otherCpuShare(), scenario.softirq());
    }

    /**
     * Waits (up to 30 s) until the server holds no more connections than when this bench started, so the
     * next run starts clean and within the open-files cap. A server that only notices a closed stream when
     * it next writes to it is given a message to write every half second (data without a sequence number,
     * which every run ignores).
     */
    public void settle() throws InterruptedException {
        if (process == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + 30_000;
        int files = process.openFiles();
        if (files <= baselineFiles + 20) {
            return;
        }
        try (SsePublisher publisher = publishers.get()) {
            while (files > baselineFiles + 20 && System.currentTimeMillis() < deadline) {
                publisher.publishNow("{\"settle\":true}");
                Thread.sleep(500);
                files = process.openFiles();
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot settle " + target.name() + ": " + e, e);
        }
        if (files > baselineFiles + 20) {
            System.err.println("warning: " + target.name() + " still holds " + files + " open files after 30 s (baseline "
                    + baselineFiles + ")");
        }
    }

    /** Waits until the server holds at most its baseline of open files, without publishing anything. */
    public void settleQuietly(long timeoutMillis) throws InterruptedException {
        if (process == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (process.openFiles() > baselineFiles + 20 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
