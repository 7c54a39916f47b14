package io.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNameTest {

    @Test
    void canonicalNamesKeepTheirSegments() {
        ChannelName name = ChannelName.of("/chat/room1");
        assertThat(name.segments()).containsExactly("chat", "room1");
        assertThat(name.isPattern()).isFalse();
        assertThat(name.isPublishable()).isTrue();
        assertThat(name).isEqualTo(ChannelName.lenient("chat/room1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "chat", "/", "//a", "/a//b", "/a/", "/a b", "/a/*/b", "/*", "/**", "/a/\n", "/a?b", "/a#b",
            "/a/%2f", "/é"})
    void malformedNamesAreRefusedWithTheirName(String bad) {
        assertThatThrownBy(() -> ChannelName.of(bad))
                .isInstanceOf(InvalidChannelException.class)
                .hasMessageContaining("invalid channel");
    }

    @Test
    void tooLongNamesAreRefused() {
        assertThatThrownBy(() -> ChannelName.of("/" + "a".repeat(ChannelName.MAX_LENGTH)))
                .isInstanceOf(InvalidChannelException.class)
                .hasMessageContaining("longer than 255");
    }

    @Test
    void oneSegmentWildcardMatchesExactlyOneMore() {
        ChannelName pattern = ChannelName.of("/chat/*");
        assertThat(pattern.wildcard()).isEqualTo(ChannelName.Wildcard.ONE);
        assertThat(pattern.matches(ChannelName.of("/chat/room1"))).isTrue();
        assertThat(pattern.matches(ChannelName.of("/chat"))).isFalse();
        assertThat(pattern.matches(ChannelName.of("/chat/a/b"))).isFalse();
        assertThat(pattern.matches(ChannelName.of("/other/room1"))).isFalse();
        assertThat(pattern.isPublishable()).isFalse();
    }

    @Test
    void deepWildcardMatchesOneOrMoreTrailingSegments() {
        ChannelName pattern = ChannelName.of("/chat/**");
        assertThat(pattern.matches(ChannelName.of("/chat/room1"))).isTrue();
        assertThat(pattern.matches(ChannelName.of("/chat/a/b/c"))).isTrue();
        assertThat(pattern.matches(ChannelName.of("/chat"))).isFalse();
        assertThat(pattern.matches(ChannelName.of("/chatter/a"))).isFalse();
    }

    @Test
    void coverageBetweenPatterns() {
        ChannelName deep = ChannelName.of("/chat/**");
        assertThat(deep.covers(ChannelName.of("/chat/*"))).isTrue();
        assertThat(deep.covers(ChannelName.of("/chat/a/**"))).isTrue();
        assertThat(deep.covers(ChannelName.of("/**/x".replace("/**/x", "/other/**")))).isFalse();
        assertThat(ChannelName.of("/chat/*").covers(ChannelName.of("/chat/**"))).isFalse();
        assertThat(ChannelName.of("/chat/room1").covers(ChannelName.of("/chat/*"))).isFalse();
    }

    @Test
    void metaAndServiceChannelsAreRecognised() {
        assertThat(ChannelName.of("/meta/connect").isMeta()).isTrue();
        assertThat(ChannelName.of("/meta/connect").isPublishable()).isFalse();
        assertThat(ChannelName.of("/service/echo").isService()).isTrue();
    }
}
