package io.herald.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Probes a server running inside this JVM: CPU time is the sum over the server's own threads (handed over
 * as a live collection, e.g. filled by its thread factory), so the load generator's threads are not counted.
 * A thread that ended keeps the CPU time last read for it. RSS and heap are the whole JVM's, load generator
 * included, as {@link #describe()} says. Thread-safe.
 */
public final class ThreadsProbe implements ServerProbe {

    private final String label;
    private final Collection<Thread> serverThreads;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> lastSeen = new ConcurrentHashMap<>();
    private final ProcProbe self = new ProcProbe(ProcessHandle.current().pid());

    public ThreadsProbe(String label, Collection<Thread> serverThreads) {
        if (!mx.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time; cannot probe " + label);
        }
        mx.setThreadCpuTimeEnabled(true);
        this.label = label;
        this.serverThreads = serverThreads;
    }

    @Override
    public long cpuNanos() {
        for (Thread t : serverThreads) {
            long cpu = mx.getThreadCpuTime(t.getId());
            if (cpu >= 0) {
                lastSeen.put(t.getId(), cpu);
            }
        }
        long sum = 0;
        for (long cpu : lastSeen.values()) {
            sum += cpu;
        }
        return sum;
    }

    @Override
    public long rssBytes() {
        return self.rssBytes();
    }

    @Override
    public long heapAfterGcBytes() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public String describe() {
        return label + " in this JVM (CPU: server threads only; RSS and heap: whole JVM)";
    }
}
