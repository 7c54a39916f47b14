package io.herald.stomp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The frames a connection's writer gathers in one pass, to go out in one write: kept per thread and reused by
 * every connection that thread writes, so that a connection keeps none of it (each reference stored per
 * message into a connection's own long-lived objects dirties a GC card that G1's refinement thread then
 * scans, per connection and message; see docs/benchmarks.md, issue 14). The frames themselves are shared
 * ({@link OutgoingFrame}); the buffers handed to the link are new per write, as a write the socket does not
 * take at once keeps them.
 *
 * <p>Not thread-safe: one per thread ({@link #current()}), used by one pass at a time.
 */
final class StompBatch {

    /** Frames gathered per write at most, and bytes after which gathering stops. */
    static final int MAX_FRAMES = 64;
    static final int MAX_BYTES = 64 * 1024;

    private static final ThreadLocal<StompBatch> CURRENT = ThreadLocal.withInitial(StompBatch::new);

    private final OutgoingFrame[] frames = new OutgoingFrame[MAX_FRAMES];
    private int count;
    private int bytes;

    private StompBatch() {
    }

    static StompBatch current() {
        return CURRENT.get();
    }

    /** Starts a pass: nothing gathered. */
    StompBatch reset() {
        Arrays.fill(frames, 0, count, null);
        count = 0;
        bytes = 0;
        return this;
    }

    void add(OutgoingFrame frame) {
        frames[count++] = frame;
        bytes += frame.size();
    }

    /** Whether another frame may join this write. */
    boolean hasRoom() {
        return count < MAX_FRAMES && bytes < MAX_BYTES;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    OutgoingFrame frame(int i) {
        return frames[i];
    }

    /** The gathered frames as WebSocket messages, header included; new buffers over the shared bytes. */
    ByteBuffer[] webSocketBuffers() {
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            buffers[i] = frames[i].webSocket();
        }
        return buffers;
    }

    /** The gathered STOMP frames back to back (WebSocket-only frames left out); new buffers over the shared bytes. */
    ByteBuffer[] stompBuffers() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += frames[i].webSocketOnly() ? 0 : 1;
        }
        ByteBuffer[] buffers = new ByteBuffer[n];
        for (int i = 0, j = 0; i < count; i++) {
            if (!frames[i].webSocketOnly()) {
                buffers[j++] = frames[i].stomp();
            }
        }
        return buffers;
    }
}
