package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.ChannelName;
import java.util.List;
import org.junit.jupiter.api.Test;

class XAccelRedirectTest {

    @Test
    void theLocationCarriesEveryChannelEncoded() {
        assertThat(XAccelRedirect.location("/herald-internal/sse", List.of(ChannelName.of("/user/42"), ChannelName.of("/news"))))
                .isEqualTo("/herald-internal/sse?channel=%2Fuser%2F42&channel=%2Fnews");
        assertThat(XAccelRedirect.location("/i/sse?x=1", List.of(ChannelName.of("/a")))).isEqualTo("/i/sse?x=1&channel=%2Fa");
    }

    @Test
    void noChannelsOrPatternsAreRefused() {
        assertThatThrownBy(() -> XAccelRedirect.location("/i", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XAccelRedirect.location("/i", List.of(ChannelName.of("/a/*"))))
                .hasMessageContaining("pattern");
    }
}
