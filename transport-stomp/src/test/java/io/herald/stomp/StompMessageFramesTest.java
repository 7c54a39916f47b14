package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.core.AckMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MESSAGE frames encoded once per message and shape, against the generic encoder's frame for every subscriber. */
class StompMessageFramesTest {

    private final StompMessageFrames frames = new StompMessageFrames();

    private static Message message(long offset, String type, byte[] body, Map<String, String> headers) {
        return new Message(ChannelName.of("/chat/room1"), new Position("Ep0ch", offset), "id-" + offset, type,
                Payload.copyOf(body), "text/plain", headers, Instant.EPOCH);
    }

    private static StompSubscription subscription(int index, String id, String destination, AckMode ack) {
        return new StompSubscription(null, index, id, destination, StompDestination.parse(destination), ack, 100, null);
    }

    /** The frame as the encoder writes it from the header map, in the documented order (README, MESSAGE headers). */
    private static byte[] expected(StompSubscription sub, Message message, boolean redelivered, StompVersion version) {
        Map<String, String> headers = new LinkedHashMap<>();
        String ackId = sub.index + "-" + message.position().epoch() + "-" + message.offset();
        headers.put("subscription", sub.id);
        headers.put("message-id", ackId);
        headers.put("destination", sub.destination.render(message.channel()));
        if (sub.ack.acknowledged() && version == StompVersion.V1_2) {
            headers.put("ack", ackId);
        }
        headers.put("redelivered", Boolean.toString(redelivered));
        headers.put("herald-position", message.position().toString());
        headers.put("herald-id", message.id());
        if (message.type() != null) {
            headers.put("herald-event", message.type());
        }
        headers.put("content-type", message.contentType());
        message.headers().forEach((k, v) -> {
            if (!StompMessageFrames.OWN.contains(k)) {
                headers.putIfAbsent(k, v);
            }
        });
        return StompFrameEncoder.encode("MESSAGE", headers, message.payload().toByteArray(), version);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void eachFrameIsTheEncodersFrameForItsSubscriber(StompVersion version) {
        Map<String, String> custom = new LinkedHashMap<>();
        custom.put("x-colon", "a:b\\c");
        custom.put("x-line", "one\ntwo");
        custom.put("destination", "/topic/forged");
        Message message = message(7, "chat", "héllo".getBytes(StandardCharsets.UTF_8), custom);
        StompSubscription[] subs = {
            subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO),
            subscription(3, "sub:3", "/topic/chat.*", AckMode.AUTO),
            subscription(1, "sub-1", "/exchange/amq.topic/chat.room1", AckMode.INDIVIDUAL),
            subscription(0, "sub-0", "/topic/chat.room1", AckMode.CUMULATIVE),
        };
        for (StompSubscription sub : subs) {
            for (boolean redelivered : new boolean[] {false, true}) {
                OutgoingFrame frame = frames.frame(sub, message, redelivered, version);
                assertThat(new String(frame.stompBytes(), StandardCharsets.UTF_8)).as("%s %s %s", version, sub.id, redelivered)
                        .isEqualTo(new String(expected(sub, message, redelivered, version), StandardCharsets.UTF_8));
                assertThat(frame.text()).isTrue();
            }
        }
    }

    @Test
    void subscribersOfOneShapeShareOneFrameAndOthersGetTheirOwn() {
        Message message = message(1, null, "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        // Two connections whose first subscription is the same: the same bytes.
        OutgoingFrame first = frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_2);
        OutgoingFrame second = frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_2);
        assertThat(second).isSameAs(first);
        // Any difference in what the first headers say is another frame.
        assertThat(frames.frame(subscription(1, "sub-0", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_2)).isNotSameAs(first);
        assertThat(frames.frame(subscription(0, "sub-1", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_2)).isNotSameAs(first);
        assertThat(frames.frame(subscription(0, "sub-0", "/topic/chat.*", AckMode.AUTO), message, false, StompVersion.V1_2)).isNotSameAs(first);
        assertThat(frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.INDIVIDUAL), message, false, StompVersion.V1_2))
                .isNotSameAs(first);
        assertThat(frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO), message, true, StompVersion.V1_2)).isNotSameAs(first);
        assertThat(frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_1)).isNotSameAs(first);
        // A message at another position is another frame, even from an equal payload.
        Message next = message(2, null, "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(new String(frames.frame(subscription(0, "sub-0", "/topic/chat.room1", AckMode.AUTO), next, false, StompVersion.V1_2)
                .stompBytes(), StandardCharsets.UTF_8)).contains("message-id:0-Ep0ch-2\n");
    }

    @Test
    void aBinaryBodyIsABinaryWebSocketMessage() {
        Message message = message(1, null, new byte[] {1, 0, (byte) 0xFF}, Map.of());
        OutgoingFrame frame = frames.frame(subscription(0, "s", "/topic/chat.room1", AckMode.AUTO), message, false, StompVersion.V1_2);
        assertThat(frame.text()).isFalse();
        byte[] ws = bytes(frame.webSocket());
        assertThat(ws[0] & 0xFF).isEqualTo(0x82); // FIN, binary
        assertThat(ws.length - (ws[1] == 126 ? 4 : 2)).isEqualTo(frame.stompBytes().length);
    }

    @Test
    void frameCarriesItsWebSocketHeaderBeforeTheStompBytes() {
        byte[] body = new byte[70_000];
        java.util.Arrays.fill(body, (byte) 'a');
        OutgoingFrame frame = frames.frame(subscription(0, "s", "/topic/chat.room1", AckMode.AUTO), message(5, null, body, Map.of()), false,
                StompVersion.V1_2);
        byte[] ws = bytes(frame.webSocket());
        byte[] stomp = frame.stompBytes();
        assertThat(ws[0] & 0xFF).isEqualTo(0x81); // FIN, text
        assertThat(ws[1]).isEqualTo((byte) 127);
        long length = ByteBuffer.wrap(ws, 2, 8).getLong();
        assertThat(length).isEqualTo(stomp.length);
        assertThat(java.util.Arrays.copyOfRange(ws, 10, ws.length)).isEqualTo(stomp);
        assertThat(bytes(frame.stomp())).isEqualTo(stomp);
    }
}
