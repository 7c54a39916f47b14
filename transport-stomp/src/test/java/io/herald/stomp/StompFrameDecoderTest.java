package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StompFrameDecoderTest {

    private final StompFrameDecoder decoder = new StompFrameDecoder(new StompLimits(1024, 10, 128));

    private List<StompFrame> decode(String... chunks) {
        List<StompFrame> frames = new ArrayList<>();
        for (String chunk : chunks) {
            decoder.decode(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)), frames::add);
        }
        return frames;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CONNECT", "STOMP", "SUBSCRIBE", "UNSUBSCRIBE", "BEGIN", "COMMIT", "ABORT", "ACK", "NACK",
            "DISCONNECT", "CONNECTED", "RECEIPT"})
    @DisplayName("every command without a body decodes with its headers")
    void commandsWithoutBody(String command) {
        List<StompFrame> frames = decode(command + "\nid:1\nreceipt:r-2\n\n\0");
        assertThat(frames).containsExactly(StompFrame.of(command, Map.of("id", "1", "receipt", "r-2")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SEND", "MESSAGE", "ERROR"})
    @DisplayName("SEND, MESSAGE and ERROR carry bodies, up to the NUL or by content-length")
    void commandsWithBody(String command) {
        List<StompFrame> frames = decode(command + "\ndestination:/topic/a\n\nhello\0",
                command + "\ncontent-length:5\n\na\0b\0c\0");
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).text()).isEqualTo("hello");
        assertThat(frames.get(1).body()).containsExactly('a', 0, 'b', 0, 'c');
    }

    @Test
    void contentLengthCountsBytesNotCharacters() {
        String body = "héllo ✓";
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        List<StompFrame> frames = decode("SEND\ndestination:/topic/a\ncontent-length:" + bytes + "\n\n" + body + "\0");
        assertThat(frames.get(0).text()).isEqualTo(body);
    }

    @Test
    void framesSplitAnywhereAndSharingAChunkAreReassembled() {
        String stream = "\n\nSEND\ndestination:/topic/a\n\none\0\n\nSEND\r\ndestination:/topic/b\r\n\r\ntwo\0\n";
        for (int cut = 1; cut < stream.length(); cut++) {
            StompFrameDecoder d = new StompFrameDecoder(StompLimits.DEFAULT);
            List<StompFrame> frames = new ArrayList<>();
            d.decode(ByteBuffer.wrap(stream.substring(0, cut).getBytes(StandardCharsets.UTF_8)), frames::add);
            d.decode(ByteBuffer.wrap(stream.substring(cut).getBytes(StandardCharsets.UTF_8)), frames::add);
            assertThat(frames).extracting(StompFrame::text).as("cut at %d", cut).containsExactly("one", "two");
            assertThat(frames.get(1).header("destination")).isEqualTo("/topic/b");
            assertThat(d.inFrame()).isFalse();
        }
    }

    @Test
    void heartBeatsAndNulsBetweenFramesAreSkipped() {
        assertThat(decode("\n", "\r\n", "\0\n")).isEmpty();
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void theFirstOfRepeatedHeadersWins() {
        assertThat(decode("MESSAGE\nfoo:first\nfoo:second\n\n\0").get(0).header("foo")).isEqualTo("first");
    }

    @Test
    void partialFrameIsAwaited() {
        assertThat(decode("SEND\ndestination:/a\n\nhal")).isEmpty();
        assertThat(decoder.inFrame()).isTrue();
        assertThat(decode("f\0")).extracting(StompFrame::text).containsExactly("half");
    }

    @Nested
    @DisplayName("header escaping per version")
    class Escaping {

        @Test
        void v12DecodesAllFourEscapes() {
            decoder.version(StompVersion.V1_2);
            StompFrame frame = decode("SEND\nk\\cx:a\\nb\\rc\\\\d\\ce\n\n\0").get(0);
            assertThat(frame.headers()).containsEntry("k:x", "a\nb\rc\\d:e");
        }

        @Test
        void v11RefusesTheCrEscape() {
            decoder.version(StompVersion.V1_1);
            assertThat(decode("SEND\nk:a\\nb\\c\\\\\n\n\0").get(0).header("k")).isEqualTo("a\nb:\\");
            assertThatThrownBy(() -> decode("SEND\nk:a\\rb\n\n\0")).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("'\\r' is not an escape in STOMP 1.1");
        }

        @Test
        void v10HasNoEscaping() {
            decoder.version(StompVersion.V1_0);
            assertThat(decode("SEND\nk:a\\nb:c\n\n\0").get(0).header("k")).isEqualTo("a\\nb:c");
        }

        @Test
        void connectFramesAreNeverUnescaped() {
            decoder.version(StompVersion.V1_2);
            assertThat(decode("CONNECT\npasscode:a\\b\n\n\0").get(0).header("passcode")).isEqualTo("a\\b");
        }

        @Test
        void undefinedEscapeIsFatal() {
            decoder.version(StompVersion.V1_2);
            assertThatThrownBy(() -> decode("SEND\nk:a\\tb\n\n\0")).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("undefined escape '\\t'");
        }
    }

    @Nested
    @DisplayName("malformed input is refused, and the decoder stays refused")
    class Malformed {

        @Test
        void unknownCommand() {
            assertThatThrownBy(() -> decode("FROB\n\n\0")).isInstanceOf(StompProtocolException.class)
                    .hasMessage("unknown command 'FROB'");
            assertThatThrownBy(() -> decode("SEND\n\n\0")).hasMessageContaining("already refused");
        }

        @Test
        void missingNulAfterContentLength() {
            assertThatThrownBy(() -> decode("SEND\ncontent-length:2\n\nabc\0")).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("not terminated by NUL after its content-length of 2 bytes");
        }

        @ParameterizedTest
        @ValueSource(strings = {"-1", "x", "", "1e3", "99999999999"})
        void badContentLength(String length) {
            assertThatThrownBy(() -> decode("SEND\ncontent-length:" + length + "\n\nabc\0"))
                    .isInstanceOf(StompProtocolException.class).hasMessageContaining("content-length");
        }

        @Test
        void oversizedFrameIsRefusedBeforeItIsBuffered() {
            assertThatThrownBy(() -> decode("SEND\ncontent-length:2000\n\n")).isInstanceOf(StompProtocolException.class)
                    .hasMessage("frame larger than 1024 bytes");
        }

        @Test
        void oversizedFrameWithoutContentLength() {
            decode("SEND\n\n" + "x".repeat(1000));
            assertThatThrownBy(() -> decode("x".repeat(100))).hasMessage("frame larger than 1024 bytes");
        }

        @Test
        void missingNulNeverEndsTheFrameAndHitsTheLimit() {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    decode("SEND\ndestination:/a\n\nno terminator here\n");
                }
            }).hasMessage("frame larger than 1024 bytes");
        }

        @Test
        void tooManyHeaders() {
            StringBuilder frame = new StringBuilder("SEND\n");
            for (int i = 0; i < 11; i++) {
                frame.append("h").append(i).append(":v\n");
            }
            assertThatThrownBy(() -> decode(frame + "\n\0")).hasMessage("SEND frame has more than 10 headers");
        }

        @Test
        void headerLineTooLong() {
            assertThatThrownBy(() -> decode("SEND\nk:" + "v".repeat(200) + "\n\n\0")).hasMessage("header line longer than 128 bytes");
        }

        @Test
        void headerWithoutColon() {
            assertThatThrownBy(() -> decode("SEND\nnocolon\n\n\0")).hasMessageContaining("malformed header line 'nocolon'");
        }

        @Test
        void bodyOnAFrameThatCarriesNone() {
            assertThatThrownBy(() -> decode("SUBSCRIBE\nid:1\n\nbody\0")).hasMessage("SUBSCRIBE frames carry no body");
        }
    }
}
