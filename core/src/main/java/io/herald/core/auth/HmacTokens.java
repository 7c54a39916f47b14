package io.herald.core.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.AuthenticationException;
import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import io.herald.api.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client tokens: HMAC-SHA256 signed JWTs (HS256) whose subject is the user, whose {@code channels} claim
 * lists the channels and patterns granted, and whose {@code exp} bounds their life.
 *
 * <pre>{@code
 * HmacTokens tokens = new HmacTokens(secret);
 * String token = tokens.mint("alice", List.of(ChannelName.of("/chat/**")), Duration.ofHours(1));
 * Principal alice = tokens.verify(token);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class HmacTokens {

    /** Refuses a claim given twice: two {@code channels} or {@code alg} must not let one reader see another value. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final String HEADER = ENCODER.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;
    private final Clock clock;

    public HmacTokens(String secret, Clock clock) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("token secret must not be empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    public HmacTokens(String secret) {
        this(secret, Clock.systemUTC());
    }

    /** A token for {@code subject} granting {@code channels}, valid for {@code ttl}. */
    public String mint(String subject, List<ChannelName> channels, Duration ttl) {
        ObjectNode claims = JSON.createObjectNode();
        claims.put("sub", subject);
        ArrayNode granted = claims.putArray("channels");
        channels.forEach(c -> granted.add(c.value()));
        long now = clock.instant().getEpochSecond();
        claims.put("iat", now);
        claims.put("exp", now + ttl.toSeconds());
        String payload = ENCODER.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        String signingInput = HEADER + "." + payload;
        return signingInput + "." + ENCODER.encodeToString(sign(signingInput));
    }

    /**
     * Checks {@code token} and returns its principal, restricted to the channels it grants.
     *
     * <p>Decoding is strict, so that one token has exactly one accepted spelling: each part is canonical
     * base64url without padding (no {@code =}, no other character, unused low bits zero, so a signature's
     * last character cannot be swapped for one of its equivalents), no claim is given twice, {@code alg} is
     * {@code HS256}, {@code sub} a non-empty string, {@code exp} a whole number and {@code channels} an array
     * of channel names as strings.
     *
     * @throws AuthenticationException if it is malformed, forged, of another algorithm, or expired
     */
    public Principal verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AuthenticationException("malformed token: expected header.payload.signature");
        }
        JsonNode header = json(parts[0], "header");
        JsonNode alg = header.path("alg");
        if (!alg.isTextual() || !alg.asText().equals("HS256")) {
            throw new AuthenticationException("unsupported token algorithm " + alg + ", expected \"HS256\"");
        }
        byte[] signature = bytes(parts[2], "signature");
        if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
            throw new AuthenticationException("token signature does not match");
        }
        JsonNode claims = json(parts[1], "payload");
        JsonNode sub = claims.path("sub");
        if (!sub.isTextual() || sub.asText().isEmpty()) {
            throw new AuthenticationException("token has no subject: 'sub' must be a non-empty string");
        }
        String subject = sub.asText();
        JsonNode exp = claims.path("exp");
        if (!exp.isIntegralNumber() || !exp.canConvertToLong()) {
            throw new AuthenticationException("token of '" + subject + "' has no expiry: 'exp' must be a whole number of seconds");
        }
        if (exp.asLong() <= clock.instant().getEpochSecond()) {
            throw new AuthenticationException("token of '" + subject + "' expired");
        }
        JsonNode granted = claims.path("channels");
        if (!granted.isArray()) {
            throw new AuthenticationException("token of '" + subject + "': 'channels' must be an array of channel names");
        }
        List<ChannelName> channels = new ArrayList<>();
        for (JsonNode c : granted) {
            if (!c.isTextual()) {
                throw new AuthenticationException("token of '" + subject + "': 'channels' holds " + c + ", not a channel name");
            }
            try {
                channels.add(ChannelName.lenient(c.asText()));
            } catch (InvalidChannelException e) {
                throw new AuthenticationException("token of '" + subject + "' grants an " + e.getMessage());
            }
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        claims.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getKey().equals("channels")) {
                attributes.put(e.getKey(), e.getValue().asText());
            }
        });
        return new Principal(subject, channels, attributes);
    }

    /** A part that must be canonical base64url without padding: what {@link #ENCODER} gives for its bytes. */
    private static byte[] bytes(String part, String what) {
        if (!BASE64URL.matcher(part).matches()) {
            throw new AuthenticationException("malformed token " + what + ": not base64url without padding");
        }
        byte[] decoded;
        try {
            decoded = DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("malformed token " + what + ": not base64url");
        }
        // Java's decoder ignores the unused low bits of the last character; re-encoding shows whether they were set.
        if (!ENCODER.encodeToString(decoded).equals(part)) {
            throw new AuthenticationException("malformed token " + what + ": not canonical base64url");
        }
        return decoded;
    }

    private static JsonNode json(String part, String what) {
        byte[] decoded = bytes(part, what);
        try {
            JsonNode node = JSON.readTree(decoded);
            if (node == null || !node.isObject()) {
                throw new AuthenticationException("malformed token " + what + ": not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new AuthenticationException("malformed token " + what + ": not JSON");
        }
    }

    private byte[] sign(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
