package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StompFrameEncoderTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void messageCarriesContentLengthInBytesAndEndsWithNul() {
        byte[] bytes = StompFrameEncoder.encode(new StompFrame("MESSAGE", Map.of("destination", "/topic/a"),
                "ü".getBytes(StandardCharsets.UTF_8)), StompVersion.V1_2);
        assertThat(text(bytes)).isEqualTo("MESSAGE\ndestination:/topic/a\ncontent-length:2\n\nü\0");
    }

    @Test
    void framesWithoutBodyGetNoContentLength() {
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("RECEIPT", Map.of("receipt-id", "7")), StompVersion.V1_2)))
                .isEqualTo("RECEIPT\nreceipt-id:7\n\n\0");
    }

    @Test
    void givenContentLengthIsReplacedByTheRealOne() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-length", "999");
        assertThat(text(StompFrameEncoder.encode(new StompFrame("SEND", headers, new byte[] {'x'}), StompVersion.V1_2)))
                .isEqualTo("SEND\ncontent-length:1\n\nx\0");
    }

    @Test
    void escapingPerVersion() {
        Map<String, String> headers = Map.of("k", "a:b\nc\\d\re");
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("RECEIPT", headers), StompVersion.V1_2)))
                .contains("k:a\\cb\\nc\\\\d\\re\n");
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("RECEIPT", headers), StompVersion.V1_1)))
                .contains("k:a\\cb\\nc\\\\d\re\n");
        // 1.0 cannot write a line break: the header is left out rather than breaking the frame.
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("RECEIPT", headers), StompVersion.V1_0)))
                .isEqualTo("RECEIPT\n\n\0");
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("RECEIPT", Map.of("k", "a:b")), StompVersion.V1_0)))
                .isEqualTo("RECEIPT\nk:a:b\n\n\0");
    }

    @Test
    void connectedIsNeverEscaped() {
        assertThat(text(StompFrameEncoder.encode(StompFrame.of("CONNECTED", Map.of("server", "Herald:x")), StompVersion.V1_2)))
                .isEqualTo("CONNECTED\nserver:Herald:x\n\n\0");
    }
}
