package io.herald.stomp;

import io.herald.api.Message;
import io.herald.http.DirectWebSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * MESSAGE frames, encoded once per message and shared by the connections that are sent the same bytes.
 *
 * <p>A MESSAGE frame is the same for every subscriber but for its first headers ({@code subscription},
 * {@code message-id}, {@code destination}, {@code ack}, {@code redelivered}), which depend on the subscription's
 * id, its number on its connection, the destination it named, its ack mode, the version and whether this is a
 * repeat. The rest ({@code herald-*}, {@code content-type}, the publisher's headers, the body) is encoded once
 * per message and version. And subscribers usually have the same shape: every client of an application
 * subscribes the same way (stompjs numbers its subscriptions {@code sub-0}, {@code sub-1}, ... on each
 * connection), so the last few whole frames built for a message are kept by shape and a fan-out to 10,000
 * subscribers encodes one frame, WebSocket header included ({@link OutgoingFrame}), written 10,000 times.
 *
 * <p>Keyed by channel and position, consecutive positions in consecutive slots, as Bayeux's encodings: the
 * messages subscribers are at never evict one another, however far apart they lag. Thread-safe (writer
 * threads share it; what they store is immutable).
 */
final class StompMessageFrames {

    static final int SLOTS = 1024;
    /** Shapes kept per message; a fan-out with more kinds of subscribers builds frames again as they alternate. */
    static final int SHAPES = 4;

    /** Headers a publisher's own headers cannot override on a MESSAGE. */
    static final Set<String> OWN = Set.of("subscription", "message-id", "destination", "ack", "content-type",
            "content-length", "redelivered", "herald-position", "herald-id", "herald-event", "receipt", "transaction");

    private static final StompVersion[] VERSIONS = StompVersion.values();

    /** A whole frame for subscribers of one shape. */
    private record Shaped(String subscription, int index, String destination, boolean acknowledged, boolean redelivered,
                          StompVersion version, OutgoingFrame frame) {

        boolean fits(StompSubscription sub, boolean redelivered, StompVersion version) {
            return this.redelivered == redelivered && this.version == version && index == sub.index
                    && acknowledged == sub.ack.acknowledged() && subscription.equals(sub.id)
                    && destination.equals(sub.destinationHeader);
        }
    }

    /** What is encoded of one message. */
    private static final class Encoded {
        final Message message;
        final byte[] body;
        final boolean text;
        /** Per version: the frame from {@code herald-position} to the NUL. */
        final AtomicReferenceArray<byte[]> tails = new AtomicReferenceArray<>(VERSIONS.length);
        final AtomicReferenceArray<Shaped> shapes = new AtomicReferenceArray<>(SHAPES);
        final AtomicInteger nextShape = new AtomicInteger();

        Encoded(Message message) {
            this.message = message;
            this.body = message.payload().toByteArray();
            this.text = StompFrameEncoder.isText(body);
        }
    }

    private final AtomicReferenceArray<Encoded> cache = new AtomicReferenceArray<>(SLOTS);

    /** The MESSAGE frame of {@code message} for {@code sub}; shared: never modify it. */
    OutgoingFrame frame(StompSubscription sub, Message message, boolean redelivered, StompVersion version) {
        Encoded encoded = encoded(message);
        for (int i = 0; i < SHAPES; i++) {
            Shaped shaped = encoded.shapes.get(i);
            if (shaped != null && shaped.fits(sub, redelivered, version)) {
                return shaped.frame;
            }
        }
        OutgoingFrame frame = build(encoded, sub, redelivered, version);
        encoded.shapes.set(Math.floorMod(encoded.nextShape.getAndIncrement(), SHAPES), new Shaped(sub.id, sub.index,
                sub.destinationHeader, sub.ack.acknowledged(), redelivered, version, frame));
        return frame;
    }

    private Encoded encoded(Message message) {
        int slot = (message.channel().hashCode() + (int) message.offset()) & (SLOTS - 1);
        Encoded hit = cache.get(slot);
        if (hit != null && (hit.message == message || (hit.message.position().equals(message.position())
                && hit.message.channel().equals(message.channel())))) {
            return hit;
        }
        Encoded encoded = new Encoded(message);
        cache.set(slot, encoded);
        return encoded;
    }

    private static OutgoingFrame build(Encoded encoded, StompSubscription sub, boolean redelivered, StompVersion version) {
        Message message = encoded.message;
        byte[] tail = tail(encoded, version);
        boolean escape = version.escapes("MESSAGE");
        String ackId = ackId(sub, message);
        StompFrameEncoder.Bytes out = new StompFrameEncoder.Bytes(DirectWebSocket.MAX_HEADER + 160 + tail.length)
                .skip(DirectWebSocket.MAX_HEADER);
        out.ascii("MESSAGE").add('\n');
        StompFrameEncoder.header(out, "subscription", sub.id, escape, version);
        StompFrameEncoder.header(out, "message-id", ackId, escape, version);
        StompFrameEncoder.header(out, "destination", sub.destination.render(message.channel()), escape, version);
        if (sub.ack.acknowledged() && version == StompVersion.V1_2) {
            StompFrameEncoder.header(out, "ack", ackId, escape, version);
        }
        StompFrameEncoder.header(out, "redelivered", Boolean.toString(redelivered), escape, version);
        out.add(tail);
        return new OutgoingFrame(out.toArray(), encoded.text ? DirectWebSocket.TEXT : DirectWebSocket.BINARY);
    }

    /** {@code <subscription number>-<epoch>-<offset>}: what ACK and NACK name (see {@link StompSubscriptions}). */
    static String ackId(StompSubscription sub, Message message) {
        return sub.index + "-" + message.position().epoch() + "-" + message.offset();
    }

    private static byte[] tail(Encoded encoded, StompVersion version) {
        byte[] tail = encoded.tails.get(version.ordinal());
        if (tail != null) {
            return tail;
        }
        Message message = encoded.message;
        boolean escape = version.escapes("MESSAGE");
        StompFrameEncoder.Bytes out = new StompFrameEncoder.Bytes(128 + encoded.body.length);
        StompFrameEncoder.header(out, "herald-position", message.position().toString(), escape, version);
        StompFrameEncoder.header(out, "herald-id", message.id(), escape, version);
        if (message.type() != null) {
            StompFrameEncoder.header(out, "herald-event", message.type(), escape, version);
        }
        StompFrameEncoder.header(out, "content-type", message.contentType(), escape, version);
        for (Map.Entry<String, String> h : message.headers().entrySet()) {
            if (!OWN.contains(h.getKey())) {
                StompFrameEncoder.header(out, h.getKey(), h.getValue(), escape, version);
            }
        }
        StompFrameEncoder.end(out, encoded.body);
        tail = out.add('\n').add(encoded.body).add(0).toArray();
        encoded.tails.set(version.ordinal(), tail);
        return tail;
    }
}
