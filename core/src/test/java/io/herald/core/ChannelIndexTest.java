package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelIndexTest {

    private final ChannelIndex<String> index = new ChannelIndex<>();

    private List<String> matches(String channel) {
        List<String> found = new ArrayList<>();
        index.forEachMatch(ChannelName.of(channel), found::add);
        return found;
    }

    @Test
    void exactNamesAndBothWildcardsMatchByBayeuxRules() {
        index.add(ChannelName.of("/a/b"), "exact");
        index.add(ChannelName.of("/a/*"), "one");
        index.add(ChannelName.of("/a/**"), "deep");
        index.add(ChannelName.of("/a/b/*"), "one-deeper");
        index.add(ChannelName.of("/x/**"), "other");
        assertThat(matches("/a/b")).containsExactlyInAnyOrder("exact", "one", "deep");
        assertThat(matches("/a/b/c")).containsExactlyInAnyOrder("deep", "one-deeper");
        assertThat(matches("/a/b/c/d")).containsExactlyInAnyOrder("deep");
        assertThat(matches("/a")).isEmpty();
        assertThat(matches("/b/a")).isEmpty();
    }

    @Test
    void removingTakesOneRegistrationAndPrunes() {
        String value = "v";
        index.add(ChannelName.of("/a/b/*"), value);
        index.add(ChannelName.of("/a/b/*"), value);
        assertThat(index.remove(ChannelName.of("/a/b/*"), value)).isTrue();
        assertThat(matches("/a/b/c")).containsExactly("v");
        assertThat(index.remove(ChannelName.of("/a/b/*"), value)).isTrue();
        assertThat(index.remove(ChannelName.of("/a/b/*"), value)).isFalse();
        assertThat(index.remove(ChannelName.of("/never"), value)).isFalse();
        assertThat(matches("/a/b/c")).isEmpty();
        assertThat(index.hasMatch(ChannelName.of("/a/b/c"))).isFalse();
    }

    @Test
    void manyUnrelatedPatternsDoNotMatch() {
        for (int i = 0; i < 10_000; i++) {
            index.add(ChannelName.of("/tenant" + i + "/**"), "t" + i);
        }
        assertThat(matches("/tenant42/room")).containsExactly("t42");
    }
}
