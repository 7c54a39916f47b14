package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chunk header written in place (batched SSE writes allocate nothing) is the one Jetty's framing expects. */
class DirectStreamHeaderTest {

    @Test
    void inPlaceHeaderEqualsTheAllocatedOne() {
        byte[] into = new byte[DirectStream.MAX_HEADER];
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int[] edges = {1, 9, 10, 15, 16, 17, 255, 256, 4095, 4096, 65_535, 65_536, 1 << 24, Integer.MAX_VALUE};
        for (int i = 0; i < 20_000 + edges.length; i++) {
            int length = i < edges.length ? edges[i] : 1 + random.nextInt(i % 2 == 0 ? 70_000 : Integer.MAX_VALUE);
            Arrays.fill(into, (byte) '?');
            int n = DirectStream.header(length, into);
            assertThat(Arrays.copyOf(into, n)).as("length %d (seed %d)", length, seed).isEqualTo(DirectStream.header(length));
        }
    }

    @Test
    void refusesAnEmptyChunk() {
        assertThatThrownBy(() -> DirectStream.header(0, new byte[DirectStream.MAX_HEADER]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
