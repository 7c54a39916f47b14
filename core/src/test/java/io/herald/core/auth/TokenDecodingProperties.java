package io.herald.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.AuthenticationException;
import io.herald.api.ChannelName;
import io.herald.api.Principal;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

/**
 * {@link HmacTokens#verify} on client input: whatever string arrives, the answer is a principal or an
 * {@link AuthenticationException}, never another exception; and a token changed in any one character is
 * refused (one token, one accepted spelling).
 */
class TokenDecodingProperties {

    private static final HmacTokens TOKENS = new HmacTokens("property-secret");
    private static final String TOKEN = TOKENS.mint("alice", List.of(ChannelName.of("/chat/**")), Duration.ofDays(3650));
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";

    @Property(tries = 2000)
    void anyStringIsAPrincipalOrAnAuthenticationRefusal(@ForAll("tokenLike") String input) {
        try {
            Principal principal = TOKENS.verify(input);
            assertThat(input).isEqualTo(TOKEN);
            assertThat(principal.name()).isEqualTo("alice");
        } catch (AuthenticationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void anyOneCharacterChangeIsRefused(@ForAll("positions") int position, @ForAll("characters") char replacement) {
        String changed = TOKEN.substring(0, position) + replacement + TOKEN.substring(position + 1);
        if (!changed.equals(TOKEN)) {
            assertThatThrownBy(() -> TOKENS.verify(changed)).isInstanceOf(AuthenticationException.class);
        }
    }

    @Provide
    Arbitrary<String> tokenLike() {
        Arbitrary<String> random = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(300);
        Arbitrary<String> anyText = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, TOKEN.length() - 1),
                Arbitraries.integers().between(0, 8), Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(6))
                .as((at, cut, insert) -> TOKEN.substring(0, at) + insert + TOKEN.substring(Math.min(TOKEN.length(), at + cut)));
        return Arbitraries.oneOf(random, anyText, mutated, Arbitraries.just(TOKEN));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, TOKEN.length() - 1);
    }

    @Provide
    Arbitrary<Character> characters() {
        return Arbitraries.of(ALPHABET.toCharArray());
    }
}
