package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SseEventId#decode} takes whatever a client sends in {@code Last-Event-ID}: any string decodes to one
 * position per channel or to {@code null} (the documented "unknown id", answered with a reset), never an
 * exception; and what {@link SseEventId#encode} writes decodes back to itself.
 */
class SseEventIdProperties {

    private static final List<ChannelName> CHANNELS = List.of(ChannelName.of("/a/one"), ChannelName.of("/b/two"));
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:/ %\u00e9";

    @Property(tries = 3000)
    void anyIdDecodesToPositionsOrNull(@ForAll("ids") String id) {
        List<Position> positions = SseEventId.decode(id, CHANNELS);
        if (positions != null) {
            assertThat(positions).hasSize(CHANNELS.size()).allSatisfy(p -> {
                assertThat(Position.isValidEpoch(p.epoch())).isTrue();
                assertThat(p.offset()).isNotNegative();
            });
        }
    }

    @Property(tries = 1000)
    void encodedIdsRoundTrip(@ForAll("positions") List<Position> positions) {
        assertThat(SseEventId.decode(SseEventId.encode(positions), CHANNELS)).isEqualTo(positions);
    }

    @Provide
    Arbitrary<String> ids() {
        String valid = SseEventId.encode(List.of(new Position("k3J9aZq1", 42), new Position("Qz8", 7)));
        Arbitrary<String> random = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(80);
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, valid.length()),
                Arbitraries.integers().between(0, 4), Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(5))
                .as((at, cut, insert) -> valid.substring(0, at) + insert + valid.substring(Math.min(valid.length(), at + cut)));
        return Arbitraries.oneOf(random, mutated, Arbitraries.strings().ofMaxLength(40), Arbitraries.just(valid));
    }

    @Provide
    Arbitrary<List<Position>> positions() {
        Arbitrary<Position> position = Combinators.combine(
                Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray()).ofMinLength(1).ofMaxLength(16),
                Arbitraries.longs().between(0, 999_999_999_999L)).as(Position::new);
        return position.list().ofSize(CHANNELS.size());
    }
}
