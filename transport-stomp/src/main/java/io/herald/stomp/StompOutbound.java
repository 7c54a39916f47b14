package io.herald.stomp;

import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.core.Connection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The writing half of a {@link StompConnection}: the {@link Connection.Wire} of every core connection it
 * uses, and its one writer. Control frames (CONNECTED, RECEIPT, ERROR) go first, in order; then what the
 * core connections drain becomes MESSAGE frames, one frame per write; heart-beats fill the silence. An ERROR
 * or a DISCONNECT receipt is the last frame: the link closes once it is written. A cut-off (the client reads
 * too slowly, G6) flushes what is queued, says so in an ERROR, and closes.
 *
 * <p>Thread-safe: engine threads and the reader wake it; {@link IteratingCallback} serializes the writer.
 */
final class StompOutbound extends IteratingCallback implements Connection.Wire {

    /** Headers a publisher's own headers cannot override on a MESSAGE. */
    private static final Set<String> OWN = Set.of("subscription", "message-id", "destination", "ack", "content-type",
            "content-length", "redelivered", "herald-position", "herald-id", "herald-event", "receipt", "transaction");

    private record Control(byte[] frame, boolean last) {
    }

    private final StompConnection owner;
    private final StompSocket socket;
    private final Queue<Control> controls = new ConcurrentLinkedQueue<>();
    private final Runnable iterate = this::iterate;
    private volatile boolean heartbeatDue;
    private volatile boolean cutOff;
    private volatile boolean ending;

    // Owned by the writer.
    private byte[] next;
    private boolean nextText;
    private boolean closeAfterWrite;
    private boolean closed;

    StompOutbound(StompConnection owner, StompSocket socket) {
        this.owner = owner;
        this.socket = socket;
    }

    /** Queues a control frame; with {@code last}, the link closes after it and nothing else is written. */
    void control(StompFrame frame, boolean last) {
        controls.add(new Control(StompFrameEncoder.encode(frame, owner.version()), last));
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
        if (closeAfterWrite || ending) {
            closed = true;
            socket.close();
            return Action.SUCCEEDED;
        }
        Control control = controls.poll();
        if (control != null && control.frame() == null) {
            closed = true;
            socket.close();
            return Action.SUCCEEDED;
        }
        if (control != null) {
            closeAfterWrite = control.last();
            return write(control.frame(), true);
        }
        if (owner.drainOne(this)) {
            return write(next, nextText);
        }
        if (cutOff) {
            owner.transport.errors.increment();
            closeAfterWrite = true;
            return write(StompFrameEncoder.encode(StompConnection.error("slow consumer: the client did not read fast enough; "
                    + "reconnect and resubscribe to resume", null, null), owner.version()), true);
        }
        if (heartbeatDue) {
            heartbeatDue = false;
            return write(StompFrameEncoder.HEARTBEAT, true);
        }
        return Action.IDLE;
    }

    private Action write(byte[] frame, boolean text) {
        next = null;
        socket.send(frame, text, this);
        return Action.SCHEDULED;
    }

    /** Called by {@link StompConnection#drainOne} for each drained message: encodes it as the next write. */
    void message(StompSubscription subscription, Message message, boolean redelivered) {
        Map<String, String> headers = new LinkedHashMap<>();
        String ackId = subscription.index + "-" + message.position().epoch() + "-" + message.offset();
        headers.put("subscription", subscription.id);
        headers.put("message-id", ackId);
        headers.put("destination", subscription.destination.render(message.channel()));
        if (subscription.ack.acknowledged() && owner.version() == StompVersion.V1_2) {
            headers.put("ack", ackId);
        }
        headers.put("redelivered", Boolean.toString(redelivered));
        headers.put("herald-position", message.position().toString());
        headers.put("herald-id", message.id());
        if (message.type() != null) {
            headers.put("herald-event", message.type());
        }
        headers.put("content-type", message.contentType());
        for (Map.Entry<String, String> h : message.headers().entrySet()) {
            if (!OWN.contains(h.getKey())) {
                headers.putIfAbsent(h.getKey(), h.getValue());
            }
        }
        byte[] body = message.payload().toByteArray();
        next = StompFrameEncoder.encode("MESSAGE", headers, body, owner.version());
        nextText = isUtf8(body);
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
        next = StompFrameEncoder.encode("MESSAGE", headers, new byte[0], owner.version());
        nextText = true;
    }

    boolean hasNext() {
        return next != null;
    }

    private static boolean isUtf8(byte[] body) {
        for (byte b : body) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
            if (b == 0) {
                return false; // a NUL in a text message is legal UTF-8, but some clients split text at it
            }
        }
        return true;
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
