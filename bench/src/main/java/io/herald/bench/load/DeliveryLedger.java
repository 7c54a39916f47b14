package io.herald.bench.load;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the deliveries of the measured sequence numbers {@code [first, first + count)} on each stream:
 * which arrived, which arrived twice, which arrived after a later one (on ordered streams). Whatever was
 * expected and did not arrive is lost. Deliveries of warm-up messages are seen for ordering but not counted.
 * Thread-safe: each stream has its own lock, as each is usually fed by one connection.
 */
public final class DeliveryLedger {

    private final long first;
    private final long count;
    private final boolean ordered;
    private final Stream[] streams;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();

    private static final class Stream {
        final BitSet seen = new BitSet();
        long highest = -1;
    }

    public DeliveryLedger(int streams, long first, long count, boolean ordered) {
        if (streams < 1 || first < 0 || count < 0) {
            throw new IllegalArgumentException("ledger needs streams >= 1, first >= 0, count >= 0; got "
                    + streams + ", " + first + ", " + count);
        }
        this.first = first;
        this.count = count;
        this.ordered = ordered;
        this.streams = new Stream[streams];
        for (int i = 0; i < streams; i++) {
            this.streams[i] = new Stream();
        }
    }

    /**
     * Records that {@code seq} arrived on {@code stream}.
     *
     * @return true if this is the first arrival of a measured message on that stream (its latency counts)
     * @throws IllegalArgumentException for a stream out of range, a scenario bug
     */
    public boolean record(int stream, long seq) {
        if (stream < 0 || stream >= streams.length) {
            throw new IllegalArgumentException("delivery on stream " + stream + " of a run with " + streams.length + " streams");
        }
        boolean measured = seq >= first && seq < first + count;
        Stream s = streams[stream];
        synchronized (s) {
            boolean late = seq < s.highest;
            s.highest = Math.max(s.highest, seq);
            if (!measured) {
                return false;
            }
            int bit = (int) (seq - first);
            if (s.seen.get(bit)) {
                duplicated.incrementAndGet();
                return false;
            }
            s.seen.set(bit);
            if (late && ordered) {
                reordered.incrementAndGet();
            }
        }
        delivered.incrementAndGet();
        return true;
    }

    /** Deliveries expected: every measured message on every stream. */
    public long expected() {
        return count * streams.length;
    }

    /** Distinct measured deliveries so far. */
    public long delivered() {
        return delivered.get();
    }

    public long lost() {
        return expected() - delivered();
    }

    public long duplicated() {
        return duplicated.get();
    }

    /** Measured messages that arrived after a later one on the same stream; -1 if streams are unordered. */
    public long reordered() {
        return ordered ? reordered.get() : -1;
    }

    public boolean isComplete() {
        return delivered() == expected();
    }
}
