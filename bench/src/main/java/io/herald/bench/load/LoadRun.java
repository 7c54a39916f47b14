package io.herald.bench.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One run of one scenario: open, warm up, measure, drain, read the probe, close. Messages are sent on a
 * fixed schedule (message {@code n} at {@code start + n / rate}) whatever the server does, and each
 * delivery's latency is measured from its message's scheduled time, so a server stall shows as the
 * latency of every message it delayed (no coordinated omission). The scheduler parks between sends, so
 * sends can trail their schedule by the OS timer slack (tens of microseconds); that shows in the latency.
 *
 * <p>Not reusable: one instance per run. Public so that scenario suites in sub-packages (e.g. {@code sse})
 * can run their scenarios with the same schedule and ledger.
 */
public final class LoadRun implements DeliverySink {

    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Scenario scenario;
    private final LoadOptions options;
    private final double intervalNanos;
    private final long warmupSends;
    private final long measuredSends;
    private final Recorder latencies = new Recorder(3);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong lastDelivery = new AtomicLong();
    private final AtomicLong windowDeliveries = new AtomicLong();
    private volatile DeliveryLedger ledger;
    private volatile long start;

    public LoadRun(Scenario scenario, LoadOptions options) {
        this.scenario = scenario;
        this.options = options;
        this.intervalNanos = 1e9 / options.rate();
        this.warmupSends = options.warmupSends();
        this.measuredSends = options.measuredSends();
    }

    public LoadResult run(int repetition) throws Exception {
        ledger = new DeliveryLedger(scenario.deliveriesPerSend(), warmupSends, measuredSends, scenario.ordered());
        try (scenario) {
            scenario.open(this);
            ServerProbe probe = scenario.probe();
            long total = warmupSends + measuredSends;
            start = System.nanoTime() + START_DELAY_NANOS;
            long cpuBefore = -1;
            long coreBefore = -1;
            for (long seq = 0; seq < total; seq++) {
                long due = scheduled(seq);
                if (seq == warmupSends) {
                    cpuBefore = probe.cpuNanos();
                    coreBefore = probe.coreBusyNanos();
                }
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                scenario.send(seq);
            }
            long drainUntil = scheduled(total) + (long) (options.drainSeconds() * 1e9);
            while (!ledger.isComplete() && System.nanoTime() < drainUntil) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            long cpuAfter = probe.cpuNanos();
            long coreAfter = probe.coreBusyNanos();
            long rss = probe.rssBytes();
            long heap = options.heap() ? probe.heapAfterGcBytes() : -1;
            Histogram h = latencies.getIntervalHistogram();
            long measureStart = scheduled(warmupSends);
            long measureEnd = Math.max(lastDelivery.get(), scheduled(total));
            double seconds = (measureEnd - measureStart) / 1e9;
            long delivered = ledger.delivered();
            long cpu = cpuBefore >= 0 && cpuAfter >= 0 ? cpuAfter - cpuBefore : -1;
            long core = coreBefore >= 0 && coreAfter >= 0 ? coreAfter - coreBefore : -1;
            return new LoadResult(scenario.name(), repetition, options.rate(), options.warmupSeconds(),
                    options.durationSeconds(), measuredSends, ledger.expected(), delivered,
                    delivered / seconds, measuredSends == 0 ? -1 : windowDeliveries.get() / (measuredSends * intervalNanos / 1e9), ledger.lost(), ledger.duplicated(), ledger.reordered(), errors.get(),
                    firstError.get(), h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(50),
                    h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99),
                    h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99.9),
                    h.getTotalCount() == 0 ? -1 : h.getMaxValue(),
                    cpu, cpu >= 0 && delivered > 0 ? cpu / 1000.0 / delivered : -1,
                    core >= 0 && delivered > 0 ? core / 1000.0 / delivered : -1, rss, heap, probe.describe());
        }
    }

    private long scheduled(long seq) {
        return start + (long) (seq * intervalNanos);
    }

    @Override
    public void delivered(int stream, long seq) {
        long now = System.nanoTime();
        if (now >= scheduled(warmupSends) && now < scheduled(warmupSends + measuredSends)) {
            windowDeliveries.incrementAndGet();
        }
        if (ledger.record(stream, seq)) {
            latencies.recordValue(Math.max(0, (now - scheduled(seq)) / 1000));
            lastDelivery.accumulateAndGet(now, Math::max);
        }
    }

    @Override
    public void failed(long seq, String reason) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, "message " + seq + ": " + reason);
    }
}
