package io.herald.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.AuthenticationException;
import io.herald.api.ChannelName;
import io.herald.api.Credentials;
import io.herald.api.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class HmacTokensTest {

    private final HmacTokens tokens = new HmacTokens("s3cret");

    @Test
    void aMintedTokenGrantsItsChannels() {
        String token = tokens.mint("alice", List.of(ChannelName.of("/chat/**"), ChannelName.of("/news")), Duration.ofHours(1));
        Principal alice = tokens.verify(token);
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.grants(ChannelName.of("/chat/room1"))).isTrue();
        assertThat(alice.grants(ChannelName.of("/chat/*"))).isTrue();
        assertThat(alice.grants(ChannelName.of("/news"))).isTrue();
        assertThat(alice.grants(ChannelName.of("/admin"))).isFalse();
        assertThat(token).matches("[A-Za-z0-9_.-]+");
    }

    @Test
    void tamperedForeignAndExpiredTokensAreRefused() {
        String token = tokens.mint("alice", List.of(ChannelName.of("/a")), Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"alice\",\"channels\":[\"/**\"],\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> tokens.verify(parts[0] + "." + forgedClaims + "." + parts[2]))
                .isInstanceOf(AuthenticationException.class).hasMessage("token signature does not match");
        assertThatThrownBy(() -> new HmacTokens("other").verify(token)).hasMessage("token signature does not match");
        assertThatThrownBy(() -> tokens.verify("not-a-token")).hasMessageStartingWith("malformed token");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> tokens.verify(none + "." + parts[1] + ".")).hasMessageContaining("unsupported token algorithm");

        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        String old = new HmacTokens("s3cret", past).mint("bob", List.of(), Duration.ofHours(1));
        assertThatThrownBy(() -> tokens.verify(old)).hasMessage("token of 'bob' expired");
    }

    @Test
    void theAuthenticatorRequiresAToken() {
        TokenAuthenticator authenticator = new TokenAuthenticator(tokens);
        assertThatThrownBy(() -> authenticator.authenticate(Credentials.NONE)).hasMessage("a token is required");
        String token = tokens.mint("carol", List.of(), Duration.ofMinutes(1));
        assertThat(authenticator.authenticate(new Credentials(token, null)).name()).isEqualTo("carol");
    }
}
