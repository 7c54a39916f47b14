package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever frames are encoded, in whatever pieces the bytes arrive, the decoder gives back the same frames. */
class StompFrameProperties {

    private static final List<String> COMMANDS = List.of("SEND", "MESSAGE", "ERROR", "SUBSCRIBE", "ACK", "RECEIPT", "BEGIN");

    @Property(tries = 300)
    void v12RoundTripsAnyHeaderText(@ForAll("frames12") List<StompFrame> frames,
                                    @ForAll @IntRange(min = 1, max = 64) int chunk) {
        roundTrip(frames, StompVersion.V1_2, chunk);
    }

    @Property(tries = 200)
    void v11RoundTripsHeadersWithoutCr(@ForAll("frames11") List<StompFrame> frames,
                                       @ForAll @IntRange(min = 1, max = 64) int chunk) {
        roundTrip(frames, StompVersion.V1_1, chunk);
    }

    @Property(tries = 200)
    void v10RoundTripsHeadersWithoutLineBreaks(@ForAll("frames10") List<StompFrame> frames,
                                               @ForAll @IntRange(min = 1, max = 64) int chunk) {
        roundTrip(frames, StompVersion.V1_0, chunk);
    }

    private static void roundTrip(List<StompFrame> frames, StompVersion version, int chunk) {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (StompFrame frame : frames) {
            stream.writeBytes(StompFrameEncoder.encode(frame, version));
            stream.writeBytes(StompFrameEncoder.HEARTBEAT);
        }
        byte[] bytes = stream.toByteArray();
        StompFrameDecoder decoder = new StompFrameDecoder(StompLimits.DEFAULT);
        decoder.version(version);
        List<StompFrame> decoded = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            decoder.decode(ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i)), decoded::add);
        }
        assertThat(decoded).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            StompFrame expected = frames.get(i);
            StompFrame actual = decoded.get(i);
            assertThat(actual.command()).isEqualTo(expected.command());
            assertThat(actual.body()).isEqualTo(expected.body());
            Map<String, String> headers = new LinkedHashMap<>(actual.headers());
            if (StompCommands.WITH_BODY.contains(expected.command())) {
                assertThat(headers.remove("content-length")).isEqualTo(String.valueOf(expected.body().length));
            }
            assertThat(headers).isEqualTo(expected.headers());
        }
    }

    @Provide
    Arbitrary<List<StompFrame>> frames12() {
        return frames(Arbitraries.strings().withChars(":\\\n\r ab\u00e9\u2713-").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withChars(":\\\n\r ab\u00e9\u2713-").ofMaxLength(20));
    }

    @Provide
    Arbitrary<List<StompFrame>> frames11() {
        return frames(Arbitraries.strings().withChars(":\\\n ab\u00e9-").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withChars(":\\\n ab\u00e9-").ofMaxLength(20));
    }

    @Provide
    Arbitrary<List<StompFrame>> frames10() {
        return frames(Arbitraries.strings().withChars("\\ ab\u00e9-").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withChars(":\\ ab\u00e9-").ofMaxLength(20));
    }

    private static Arbitrary<List<StompFrame>> frames(Arbitrary<String> names, Arbitrary<String> values) {
        Arbitrary<Map<String, String>> headers = Arbitraries.maps(names.filter(n -> !n.equals("content-length")), values)
                .ofMaxSize(6).map(LinkedHashMap::new);
        Arbitrary<String> commands = Arbitraries.of(COMMANDS);
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(commands, headers, bodies).as((command, h, body) ->
                new StompFrame(command, h, StompCommands.WITH_BODY.contains(command) ? body : new byte[0]))
                .list().ofMinSize(1).ofMaxSize(5);
    }
}
