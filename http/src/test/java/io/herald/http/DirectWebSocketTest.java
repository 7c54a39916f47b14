package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The RFC 6455 framing of unmasked server frames, at each length encoding's edges. */
class DirectWebSocketTest {

    private static byte[] payload(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        return payload;
    }

    @Test
    void shortPayloadsCarryTheirLengthInTheSecondByte() {
        for (int length : new int[] {0, 1, 125}) {
            byte[] frame = DirectWebSocket.frame(DirectWebSocket.TEXT, payload(length));
            assertThat(frame).hasSize(2 + length);
            assertThat(frame[0] & 0xFF).isEqualTo(0x81); // FIN, text
            assertThat(frame[1] & 0xFF).as("unmasked, length %d", length).isEqualTo(length);
        }
    }

    @Test
    void payloadsUpTo65535BytesCarryA16BitLength() {
        for (int length : new int[] {126, 65_535}) {
            byte[] frame = DirectWebSocket.frame(DirectWebSocket.BINARY, payload(length));
            assertThat(frame).hasSize(4 + length);
            assertThat(frame[0] & 0xFF).isEqualTo(0x82); // FIN, binary
            assertThat(frame[1] & 0xFF).isEqualTo(126);
            assertThat(ByteBuffer.wrap(frame, 2, 2).getShort() & 0xFFFF).isEqualTo(length);
        }
    }

    @Test
    void largerPayloadsCarryA64BitLength() {
        byte[] frame = DirectWebSocket.frame(DirectWebSocket.TEXT, payload(65_536));
        assertThat(frame).hasSize(10 + 65_536);
        assertThat(frame[1] & 0xFF).isEqualTo(127);
        assertThat(ByteBuffer.wrap(frame, 2, 8).getLong()).isEqualTo(65_536L);
        assertThat(frame[10]).isEqualTo((byte) 'x');
    }

    @Test
    void theHeaderEndsRightBeforeThePayloadItFrames() {
        byte[] bytes = new byte[DirectWebSocket.MAX_HEADER + 3];
        int start = DirectWebSocket.header(bytes, DirectWebSocket.MAX_HEADER, DirectWebSocket.PONG, 3);
        assertThat(start).isEqualTo(DirectWebSocket.MAX_HEADER - 2);
        assertThat(bytes[start] & 0xFF).isEqualTo(0x8A); // FIN, pong
        assertThat(bytes[start + 1]).isEqualTo((byte) 3);
    }

    @Test
    void aHeaderWithoutRoomIsRefused() {
        assertThatThrownBy(() -> DirectWebSocket.header(new byte[200], 3, DirectWebSocket.TEXT, 197))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
