package io.herald.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Large arrays that the first ring of many outboxes is cut from ({@link #SEGMENT} slots each), so that the rings
 * of neighbouring connections share GC cards.
 *
 * <p>Why: every delivery stores a young message into a connection's outbox ring, which is old. In G1 such a store
 * dirties the ring's card (512 bytes), which the refinement thread then scans, and which a young pause scans if it
 * is still dirty. With a ring per connection allocated on its own, 10,000 streams take 10,000 cards per published
 * message (issue 14: refinement ~9% of each walk at 10,000 x 5 msg/s, and a young pause's {@code ScanHR} was the
 * cards of 10,000 rings). Cut from one array, 8 rings (with compressed references) share a card, which the first
 * store of a walk dirties and the next ones find dirty already: fewer cards to enqueue, refine and scan.
 *
 * <p>A segment is one 64-byte cache line with compressed references, so two connections drained by different
 * threads share no line. A ring that outgrows its segment gets an array of its own and gives the segment back;
 * {@link Outbox#close()} gives it back too. An outbox dropped without {@code close()} keeps its segment (and what
 * it holds) for good, as it would keep its own array as long as it is reachable.
 *
 * <p>Thread-safe; a segment is used by one outbox at a time, under that outbox's lock.
 */
final class RingSlab {

    /** Slots in one segment: 64 bytes with compressed references. */
    static final int SEGMENT = 16;
    /** Segments per array: 16 KB of references with compressed ones. */
    private static final int SEGMENTS_PER_BLOCK = 256;

    /** The one slab of the process's connections. */
    static final RingSlab SHARED = new RingSlab();

    private Object[] block;
    /** The next never-used segment's start in {@link #block}. */
    private int fresh;
    /** Segments given back, each as its array and start; reused before new ones are cut. */
    private final List<Object[]> freeBlocks = new ArrayList<>();
    private int[] freeStarts = new int[16];

    /** A segment, all its slots null. */
    synchronized Taken take() {
        int free = freeBlocks.size();
        if (free > 0) {
            Object[] array = freeBlocks.remove(free - 1);
            return new Taken(array, freeStarts[free - 1]);
        }
        if (block == null || fresh == block.length) {
            block = new Object[SEGMENT * SEGMENTS_PER_BLOCK];
            fresh = 0;
        }
        int start = fresh;
        fresh += SEGMENT;
        return new Taken(block, start);
    }

    /** Gives back the segment of {@code array} at {@code start}, whose slots the caller has cleared. */
    synchronized void giveBack(Object[] array, int start) {
        int free = freeBlocks.size();
        if (free == freeStarts.length) {
            freeStarts = Arrays.copyOf(freeStarts, free * 2);
        }
        freeBlocks.add(array);
        freeStarts[free] = start;
    }

    /** A segment handed out: {@code SEGMENT} slots of {@code array} from {@code start}. */
    record Taken(Object[] array, int start) {
    }
}
