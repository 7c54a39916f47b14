package io.herald.stomp;

import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.core.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The writing half of a {@link StompConnection}: the {@link Connection.Wire} of every core connection it
 * uses, and its one writer. Each pass gathers frames into one write ({@link StompBatch}): control frames
 * (CONNECTED, RECEIPT, ERROR, a WebSocket pong) first, in order; then what the core connections drain, as
 * MESSAGE frames shared with the other subscribers of the same message ({@link StompMessageFrames}); a
 * heart-beat when there is nothing else. An ERROR or a DISCONNECT receipt is the last frame: the link closes
 * once it is written. A cut-off (the client reads too slowly, G6) flushes what is queued, says so in an
 * ERROR, and closes.
 *
 * <p>Thread-safe: engine threads and the reader wake it; {@link IteratingCallback} serializes the writer.
 */
final class StompOutbound extends IteratingCallback implements Connection.Wire {

    /** A frame to write before any message; {@code frame} null closes the link once what precedes is written. */
    private record Control(OutgoingFrame frame, boolean last) {
    }

    private final StompConnection owner;
    private final StompSocket socket;
    private final Queue<Control> controls = new ConcurrentLinkedQueue<>();
    private final Runnable iterate = this::iterate;
    private volatile boolean heartbeatDue;
    private volatile boolean cutOff;
    private volatile boolean ending;

    // Owned by the writer.
    private boolean closeAfterWrite;
    private boolean closeNow;
    private boolean closed;
    /** Frames the drained items became: {@link StompSubscriptions#drainOne} tells by it whether an item wrote one. */
    private int produced;

    StompOutbound(StompConnection owner, StompSocket socket) {
        this.owner = owner;
        this.socket = socket;
    }

    /** Queues a control frame; with {@code last}, the link closes after it and nothing else is written. */
    void control(StompFrame frame, boolean last) {
        controls.add(new Control(StompFrameEncoder.frame(frame, owner.version()), last));
        wake();
    }

    /** Queues a WebSocket pong, written before the messages still queued. */
    void pong(OutgoingFrame pong) {
        controls.add(new Control(pong, false));
        wake();
    }

    void wake() {
        owner.transport.threads.write(System.identityHashCode(this), iterate);
    }

    @Override
    public void writable() {
        wake();
    }

    @Override
    public void cutOff() {
        if (!cutOff) {
            cutOff = true;
            owner.transport.cutOffs.increment();
            owner.sealAll();
            wake();
        }
    }

    @Override
    public void heartbeat() {
        heartbeatDue = true;
        wake();
    }

    /** Closes the link once the control frames queued so far are written (a DISCONNECT without receipt). */
    void endAfterControls() {
        controls.add(new Control(null, true));
        wake();
    }

    /** Ends writing at once (the link is gone). */
    void end() {
        ending = true;
        wake();
    }

    @Override
    protected Action process() {
        if (closed) {
            return Action.SUCCEEDED;
        }
        if (closeAfterWrite || closeNow || ending) {
            closed = true;
            socket.close();
            return Action.SUCCEEDED;
        }
        StompBatch batch = StompBatch.current().reset();
        gatherControls(batch);
        if (!closeAfterWrite && !closeNow) {
            // Messages, as many as fit in one write; drainOne adds each to this thread's batch (message, gap).
            boolean drained = false;
            while (batch.hasRoom() && !drained) {
                drained = !owner.drainOne(this);
            }
            if (cutOff && drained && batch.hasRoom()) {
                owner.transport.errors.increment();
                closeAfterWrite = true;
                batch.add(StompFrameEncoder.frame(StompConnection.error("slow consumer: the client did not read fast enough; "
                        + "reconnect and resubscribe to resume", null, null), owner.version()));
            }
        }
        if (heartbeatDue && !closeNow) {
            heartbeatDue = false;
            if (batch.isEmpty()) {
                batch.add(OutgoingFrame.HEARTBEAT);
            }
        }
        if (batch.isEmpty()) {
            if (closeNow) {
                closed = true;
                socket.close();
                return Action.SUCCEEDED;
            }
            return Action.IDLE;
        }
        socket.send(batch, this);
        return Action.SCHEDULED;
    }

    /** Control frames go first; one that ends the link ends the gathering too. */
    private void gatherControls(StompBatch batch) {
        Control control;
        while (batch.hasRoom() && (control = controls.poll()) != null) {
            if (control.frame() == null) {
                closeNow = true;
                return;
            }
            batch.add(control.frame());
            if (control.last()) {
                closeAfterWrite = true;
                return;
            }
        }
    }

    /** Called by {@link StompConnection#drainOne} for each drained message: its frame joins this pass's write. */
    void message(StompSubscription subscription, Message message, boolean redelivered) {
        StompBatch.current().add(owner.transport.frames.frame(subscription, message, redelivered, owner.version()));
        produced++;
        owner.transport.messages.increment();
    }

    /** A gap becomes a MESSAGE without body whose {@code herald-missed-*} headers say what was lost (G2). */
    void gap(StompSubscription subscription, Gap gap) {
        Map<String, String> headers = new LinkedHashMap<>();
        String ackId = subscription.index + "-gap";
        headers.put("subscription", subscription.id);
        headers.put("message-id", ackId);
        headers.put("destination", subscription.destination.render(gap.channel()));
        if (subscription.ack.acknowledged() && owner.version() == StompVersion.V1_2) {
            headers.put("ack", ackId);
        }
        headers.put("herald-missed", gap.missed() == null ? "unknown" : gap.missed().toString());
        headers.put("herald-missed-channel", gap.channel().value());
        if (gap.after() != null) {
            headers.put("herald-missed-after", gap.after().toString());
        }
        headers.put("herald-missed-first-available", Long.toString(gap.firstAvailable()));
        headers.put("herald-missed-reset", Boolean.toString(gap.reset()));
        if (gap.epoch() != null) {
            headers.put("herald-position", gap.resumeAfter().toString());
        }
        headers.put("content-type", "text/plain");
        StompBatch.current().add(StompFrameEncoder.frame("MESSAGE", headers, new byte[0], owner.version()));
        produced++;
    }

    int produced() {
        return produced;
    }

    @Override
    protected void onCompleteSuccess() {
        owner.finish();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        owner.finish();
        socket.close();
    }

    @Override
    public String toString() {
        return "StompOutbound[" + owner + "]";
    }
}
