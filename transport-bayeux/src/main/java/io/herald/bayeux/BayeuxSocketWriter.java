package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.DirectWebSocket;
import io.herald.http.WriteLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The one writer of a Bayeux WebSocket's frames, written straight on the connection ({@link DirectWebSocket},
 * the fast path STOMP's WebSocket takes too) instead of through Jetty's session: frames are queued in call order
 * and the writer, whenever it runs, writes everything queued by then in one gathering write, so a push, the
 * replies beside it and a pong queued while a write was in flight all leave together. Nothing waits for more: a
 * frame queued on an idle writer is written at once.
 *
 * <p>A push of one delivery, the common case when the server keeps up (each client is written once per message),
 * is the same frame for every client pushed that message: {@code [delivery]} framed once ({@link #single}) and
 * written as the same bytes on every socket, with no copy and no allocation beyond a {@link ByteBuffer} view per
 * socket. A push of several deliveries (what queued while the previous push was in flight, or while the writer
 * thread was busy with other clients) is one array, framed in one copy ({@link #frame}).
 *
 * <p>Each frame's {@code written} runs once its write completed or failed, in queue order. After a failure the
 * writer is done: what is queued then, or later, is dropped with its {@code written} run, and
 * {@code onFailure} is told once (the socket is broken; the client resumes from its cursors). Thread-safe.
 */
final class BayeuxSocketWriter extends WriteLoop {

    /** Single-delivery frames, by the identity of the delivery's shared bytes ({@link BayeuxDeliveries}). */
    private static final int SINGLES = 256;
    private static final Runnable NOTHING = () -> { };

    private record Single(byte[] delivery, ByteBuffer frame) {
    }

    private record Pending(ByteBuffer frame, Runnable written) {
    }

    private static final AtomicReferenceArray<Single> SINGLE_FRAMES = new AtomicReferenceArray<>(SINGLES);

    private final DirectWebSocket socket;
    private final Consumer<Throwable> onFailure;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** The frames of the write in flight, whose {@code written} run once it completes; only the writer touches it. */
    private Pending[] inFlight;

    BayeuxSocketWriter(DirectWebSocket socket, Consumer<Throwable> onFailure) {
        this.socket = socket;
        this.onFailure = onFailure;
    }

    /** Queues the frame of {@code replies} then {@code deliveries}, one array. */
    void send(List<ObjectNode> replies, List<byte[]> deliveries) {
        send(replies, deliveries, NOTHING);
    }

    /** Queues one frame: {@code replies} then {@code deliveries}, one array; {@code written} runs once it left or failed. */
    void send(List<ObjectNode> replies, List<byte[]> deliveries, Runnable written) {
        ByteBuffer frame = replies.isEmpty() && deliveries.size() == 1 ? single(deliveries.get(0)) : frame(replies, deliveries);
        queue(frame, written);
    }

    /** Queues a pong frame answering a ping with {@code payload}. */
    void pong(byte[] payload) {
        queue(ByteBuffer.wrap(DirectWebSocket.frame(DirectWebSocket.PONG, payload)), NOTHING);
    }

    private void queue(ByteBuffer frame, Runnable written) {
        queue.add(new Pending(frame, written));
        iterate();
        if (isDone()) {
            dropQueued(); // failed meanwhile: nothing will write it
        }
    }

    /**
     * {@code [delivery]} as one text frame, shared by every socket pushed the same delivery alone: a view of its
     * own per call (a write moves the view's position), over the same bytes.
     */
    static ByteBuffer single(byte[] delivery) {
        int slot = System.identityHashCode(delivery) & (SINGLES - 1);
        Single hit = SINGLE_FRAMES.get(slot);
        if (hit == null || hit.delivery != delivery) {
            hit = new Single(delivery, frame(List.of(), List.of(delivery)));
            SINGLE_FRAMES.set(slot, hit);
        }
        return hit.frame.duplicate();
    }

    /**
     * {@code replies} then {@code deliveries} as one text frame, header and array built in one new array (the
     * header right before the array, the room in front of it unused).
     */
    static ByteBuffer frame(List<ObjectNode> replies, List<byte[]> deliveries) {
        byte[] bytes = BayeuxCodec.encode(replies, deliveries, DirectWebSocket.MAX_HEADER);
        int start = DirectWebSocket.header(bytes, DirectWebSocket.MAX_HEADER, DirectWebSocket.TEXT,
                bytes.length - DirectWebSocket.MAX_HEADER);
        return ByteBuffer.wrap(bytes, start, bytes.length - start);
    }

    @Override
    protected Action process() {
        completed();
        Pending first = queue.poll();
        if (first == null) {
            return Action.IDLE;
        }
        Pending second = queue.poll();
        if (second == null) {
            inFlight = new Pending[] {first};
            socket.write(this, first.frame);
            return Action.SCHEDULED;
        }
        ArrayList<Pending> all = new ArrayList<>();
        all.add(first);
        all.add(second);
        for (Pending p; (p = queue.poll()) != null; ) {
            all.add(p);
        }
        Pending[] pending = all.toArray(Pending[]::new);
        ByteBuffer[] buffers = new ByteBuffer[pending.length];
        for (int i = 0; i < pending.length; i++) {
            buffers[i] = pending[i].frame;
        }
        inFlight = pending;
        socket.write(this, buffers);
        return Action.SCHEDULED;
    }

    /** The write in flight completed: its frames' {@code written} run. */
    private void completed() {
        Pending[] done = inFlight;
        if (done != null) {
            inFlight = null;
            for (Pending p : done) {
                p.written.run();
            }
        }
    }

    @Override
    protected void onCompleteSuccess() {
        // process() never ends the loop: only a failure does.
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        completed();
        dropQueued();
        onFailure.accept(cause);
    }

    private void dropQueued() {
        for (Pending p; (p = queue.poll()) != null; ) {
            p.written.run();
        }
    }
}
