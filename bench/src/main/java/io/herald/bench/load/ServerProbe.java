package io.herald.bench.load;

/**
 * Reads what the server under load costs: CPU time spent so far and memory held. Implementations read
 * another process through {@code /proc} ({@link ProcProbe}) or the server threads of this JVM
 * ({@link ThreadsProbe}). Thread-safe.
 */
public interface ServerProbe {

    /** A probe that knows nothing: every reading is absent. */
    ServerProbe NONE = new ServerProbe() {
        @Override
        public long cpuNanos() {
            return -1;
        }

        @Override
        public long rssBytes() {
            return -1;
        }

        @Override
        public long heapAfterGcBytes() {
            return -1;
        }

        @Override
        public String describe() {
            return "no server process given";
        }
    };

    /** CPU time (user + system) the server used so far, in nanoseconds; -1 if unknown. */
    long cpuNanos();

    /**
     * Busy time of the CPU the server is pinned to (all of it: the kernel's work there included), in
     * nanoseconds; -1 when the server is not pinned to one known CPU.
     */
    default long coreBusyNanos() {
        return -1;
    }

    /** Resident set size of the server process now, in bytes; -1 if unknown. */
    long rssBytes();

    /** Heap in use right after a full collection, in bytes; -1 if unknown. Forces a GC: call it at the end. */
    long heapAfterGcBytes();

    /** What is probed, for the printout. */
    String describe();
}
