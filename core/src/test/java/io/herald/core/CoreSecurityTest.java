package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.AuthenticationException;
import io.herald.api.ChannelName;
import io.herald.api.InvalidPublicationException;
import io.herald.api.Payload;
import io.herald.api.Publication;
import io.herald.core.auth.HmacTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The core's refusals: tokens that are not exactly what was signed, and publications Herald reserves. */
@DisplayName("core security")
class CoreSecurityTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final HmacTokens tokens = new HmacTokens("s3cret");
    private final String token = tokens.mint("alice", List.of(ChannelName.of("/a")), Duration.ofHours(1));

    /** A token signed with the right secret over the given header and claims, as an attacker holding it could not make. */
    private String signed(String header, String claims) throws Exception {
        return signedParts(B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)),
                B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)));
    }

    private static String signedParts(String header, String claims) throws Exception {
        String input = header + "." + claims;
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    @Nested
    @DisplayName("tokens decode strictly")
    class Tokens {

        @Test
        @DisplayName("the signature's last character swapped for one that decodes to the same bytes is refused")
        void equivalentLastCharacter() {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            byte[] bytes = Base64.getUrlDecoder().decode(signature);
            List<String> twins = new ArrayList<>();
            for (char c : ALPHABET.toCharArray()) {
                String twin = signature.substring(0, signature.length() - 1) + c;
                if (!twin.equals(signature) && Arrays.equals(Base64.getUrlDecoder().decode(twin), bytes)) {
                    twins.add(token.substring(0, token.lastIndexOf('.') + 1) + twin);
                }
            }

            assertThat(twins).as("spellings of the same signature bytes").hasSize(3);
            for (String twin : twins) {
                assertThatThrownBy(() -> tokens.verify(twin)).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("not canonical");
            }
            assertThat(tokens.verify(token).name()).isEqualTo("alice");
        }

        @ParameterizedTest(name = "suffix {0}")
        @ValueSource(strings = {"=", "==", " ", "\n", "%3D"})
        @DisplayName("padding or anything else appended to the signature is refused")
        void appendedPadding(String suffix) {
            assertThatThrownBy(() -> tokens.verify(token + suffix)).isInstanceOf(AuthenticationException.class)
                    .hasMessageStartingWith("malformed token signature");
        }

        @Test
        @DisplayName("padding inside the header or payload is refused even when correctly signed")
        void paddedParts() throws Exception {
            // 16 bytes: base64 needs two '=' to pad them, which the signer included in what it signed.
            String header = Base64.getUrlEncoder().encodeToString("{\"alg\":\"HS256\" }".getBytes(StandardCharsets.UTF_8));
            assertThat(header).endsWith("==");
            String claims = B64.encodeToString("{\"sub\":\"m\",\"channels\":[\"/a\"],\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> tokens.verify(signedParts(header, claims)))
                    .isInstanceOf(AuthenticationException.class).hasMessageStartingWith("malformed token header");
            assertThat(tokens.verify(signedParts(header.replace("=", ""), claims)).name()).isEqualTo("m");
        }

        @ParameterizedTest(name = "channels: {0}")
        @ValueSource(strings = {"{\"x\":\"/**\"}", "\"/**\"", "[[\"/**\"]]", "[{\"c\":\"/**\"}]", "[1]", "null", "true"})
        @DisplayName("a channels claim that is not an array of strings is refused, not read for its values")
        void channelsMustBeAnArrayOfStrings(String channels) throws Exception {
            String forged = signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                    "{\"sub\":\"mallory\",\"channels\":" + channels + ",\"exp\":9999999999}");
            assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("mallory").hasMessageContaining("'channels'");
        }

        @ParameterizedTest(name = "header {0}")
        @ValueSource(strings = {"{\"alg\":\"hs256\"}", "{\"alg\":[\"HS256\"]}", "{\"alg\":\"none\"}", "{}",
            "{\"alg\":\"HS512\"}", "{\"alg\":\"HS256\",\"alg\":\"none\"}"})
        @DisplayName("an alg other than exactly \"HS256\", or given twice, is refused")
        void algMustBeHs256(String header) throws Exception {
            String forged = signed(header, "{\"sub\":\"mallory\",\"channels\":[\"/a\"],\"exp\":9999999999}");
            assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(AuthenticationException.class)
                    .hasMessageStartingWith(header.contains("\"alg\":\"HS256\",") ? "malformed token header" : "unsupported token algorithm");
        }

        @ParameterizedTest(name = "claims {0}")
        @ValueSource(strings = {
            "{\"sub\":\"m\",\"channels\":[\"/a\"],\"channels\":[\"/**\"],\"exp\":9999999999}",
            "{\"sub\":7,\"channels\":[\"/a\"],\"exp\":9999999999}",
            "{\"sub\":\"m\",\"channels\":[\"/a\"],\"exp\":\"9999999999\"}",
            "{\"sub\":\"m\",\"channels\":[\"/a\"],\"exp\":9999999999.5}",
            "{\"sub\":\"m\",\"channels\":[\"/a\"],\"exp\":9999999999} {}",
        })
        @DisplayName("repeated claims, a subject that is not a string and an expiry that is not a whole number are refused")
        void claimTypes(String claims) throws Exception {
            String forged = signed("{\"alg\":\"HS256\"}", claims);
            assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(AuthenticationException.class);
        }
    }

    @Nested
    @DisplayName("publications")
    class Publications {

        @ParameterizedTest(name = "type {0}")
        @ValueSource(strings = {"missedevents", "lastEventId"})
        @DisplayName("may not carry Herald's own event types, whatever the protocol they came through")
        void reservedTypes(String type) {
            ChannelName channel = ChannelName.of("/sec/reserved");
            assertThatThrownBy(() -> new Publication(channel, null, type, Payload.utf8("{}"), Publication.JSON, Map.of()))
                    .isInstanceOf(InvalidPublicationException.class)
                    .hasMessageContaining("/sec/reserved").hasMessageContaining("'" + type + "'");
            assertThat(new Publication(channel, null, "MissedEvents", Payload.utf8("{}"), null, null).type()).isEqualTo("MissedEvents");
        }
    }
}
