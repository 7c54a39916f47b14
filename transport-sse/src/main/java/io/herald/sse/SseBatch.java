package io.herald.sse;

import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * What a stream's writer builds in one pass (the bytes of a batch, or the one single-channel event held back
 * in case it is the whole batch), kept per thread and reused by every stream that thread writes. A stream
 * keeps none of it: at 10,000 streams x 5 msg/s, each reference stored into a stream's own long-lived objects
 * dirties a GC card per stream and message, which G1's refinement thread then scans (a quarter of the
 * server's core in issue 14's profile), and each buffer made per stream and message is garbage.
 *
 * <p>The buffers handed out ({@link #chunk}, {@link #framed}) are valid until this thread's next pass; a
 * write that cannot finish at once takes buffers of its own ({@code DirectStream} does).
 *
 * <p>A shared chunk is copied once per message and thread into direct memory (an arena filled front to back and
 * replaced when full, never overwritten, so a write still in flight keeps reading what it was given): a heap
 * buffer would be copied by NIO into a temporary direct buffer on every write, that is per stream and message.
 *
 * <p>Not thread-safe: one per thread ({@link #current()}), used by one pass at a time.
 */
final class SseBatch implements Connection.Items {

    private static final ThreadLocal<SseBatch> CURRENT = ThreadLocal.withInitial(SseBatch::new);
    /** A batch buffer grown past this is dropped after use rather than kept by the thread. */
    private static final int KEEP = 64 * 1024;
    /** Direct memory the shared chunks are copied into; a chunk larger than {@link #LARGE} stays on the heap. */
    private static final int ARENA = 64 * 1024;
    private static final int LARGE = 8 * 1024;
    private static final ByteBuffer NO_ARENA = ByteBuffer.allocateDirect(0);

    private ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    /** The single-channel message held back; written as its shared bytes if nothing else joins the batch. */
    Message single;
    /** The message whose shared chunk {@link #view} wraps: fan-out writes it to many streams in a row. */
    private Message viewed;
    private byte[] viewedChunk;
    private ByteBuffer view;
    /** Made on the first shared chunk: many threads run a writer once (Jetty's, on a stream's first write) and never again. */
    private ByteBuffer arena = NO_ARENA;
    private final ByteBuffer[] two = new ByteBuffer[2];
    /**
     * The stream whose pass this thread runs: what the connection drains goes to it with this batch. Stored once
     * per pass into this per-thread object (the same GC card for every stream), never into the stream.
     */
    SseConnection stream;

    private SseBatch() {
    }

    static SseBatch current() {
        return CURRENT.get();
    }

    @Override
    public void message(ConnectionSubscription subscription, Message message, boolean redelivered) {
        stream.message(this, message);
    }

    @Override
    public void gap(ConnectionSubscription subscription, Gap gap) {
        stream.gap(gap);
    }

    /** Starts a pass: nothing written, nothing held back. */
    void reset() {
        if (out.size() > KEEP) {
            out = new ByteArrayOutputStream(256);
        } else {
            out.reset();
        }
        single = null;
    }

    ByteArrayOutputStream out() {
        return out;
    }

    int written() {
        return out.size();
    }

    /** {@code chunk}, the shared framed bytes of {@code message}, as a buffer to write, ready from its start. */
    ByteBuffer chunk(Message message, byte[] chunk) {
        if (viewed == message && viewedChunk == chunk) {
            view.clear();
            return view;
        }
        viewed = message;
        viewedChunk = chunk;
        if (chunk.length > LARGE) {
            view = ByteBuffer.wrap(chunk);
            return view;
        }
        if (chunk.length > arena.remaining()) {
            arena = ByteBuffer.allocateDirect(ARENA);
        }
        int start = arena.position();
        arena.put(chunk);
        view = arena.slice(start, chunk.length);
        return view;
    }

    /** The batch written so far, after the chunk header {@code header}, as buffers to write (a copy of the batch). */
    ByteBuffer[] framed(byte[] header, byte[] batch) {
        two[0] = ByteBuffer.wrap(header);
        two[1] = ByteBuffer.wrap(batch);
        return two;
    }
}
