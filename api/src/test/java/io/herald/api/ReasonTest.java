package io.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasonTest {

    @Test
    void everyRefusalSaysWhyInTheTermsProtocolsMap() {
        ChannelName room = ChannelName.of("/room");
        assertThat(new InvalidChannelException("/meta/x", "reserved").reason()).isEqualTo(Reason.INVALID);
        assertThat(new InvalidRequestException("s1", "duplicate id").reason()).isEqualTo(Reason.INVALID);
        assertThat(new AccessDeniedException("bob", room, "publish to").reason()).isEqualTo(Reason.FORBIDDEN);
        assertThat(new PayloadTooLargeException(room, 10, 5).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(new AuthenticationException("bad token").reason()).isEqualTo(Reason.UNAUTHENTICATED);
        assertThat(new SessionUnknownException("s1").reason()).isEqualTo(Reason.UNKNOWN_SESSION);
        assertThat(new StoreException("down").reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
    }
}
