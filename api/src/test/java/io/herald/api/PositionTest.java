package io.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PositionTest {

    @Test
    void positionsOfOneEpochAreOrderedByOffset() {
        assertThat(new Position("e1", 3)).isLessThan(new Position("e1", 4));
        assertThat(Position.start("e1").next()).isEqualTo(new Position("e1", 1));
    }

    @Test
    void positionsAreEqualByEpochAndOffset() {
        assertThat(new Position("e1", 3)).isEqualTo(new Position("e1", 3)).hasSameHashCodeAs(new Position("e1", 3));
        assertThat(new Position("e1", 3)).isNotEqualTo(new Position("e1", 4)).isNotEqualTo(new Position("e2", 3))
                .isNotEqualTo("e1:3").isNotEqualTo(null);
    }

    @Test
    void positionsOfDifferentEpochsHaveNoOrder() {
        assertThatThrownBy(() -> new Position("e1", 3).compareTo(new Position("e2", 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different epochs");
    }

    @Test
    void epochsAreShortAndAlphanumeric() {
        assertThatThrownBy(() -> new Position("a:b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Position("x".repeat(17), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Position("e", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gapsCountWhatIsLost() {
        Gap gap = Gap.retention(ChannelName.of("/a"), "e1", 10, 51);
        assertThat(gap.missed()).isEqualTo(40);
        assertThat(gap.reset()).isFalse();
        assertThat(gap.resumeAfter()).isEqualTo(new Position("e1", 50));
        Gap reset = Gap.reset(ChannelName.of("/a"), "e2", null, 1);
        assertThat(reset.missed()).isNull();
        assertThat(reset.resumeAfter()).isEqualTo(Position.start("e2"));
        assertThat(Gap.patternReset(ChannelName.of("/a/*")).resumeAfter()).isNull();
        assertThatThrownBy(() -> Gap.reset(ChannelName.of("/a"), null, null, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
