package io.herald.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
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
     * @throws AuthenticationException if it is malformed, forged, of another algorithm, or expired
     */
    public Principal verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AuthenticationException("malformed token: expected header.payload.signature");
        }
        JsonNode header = decode(parts[0], "header");
        if (!"HS256".equals(header.path("alg").asText())) {
            throw new AuthenticationException("unsupported token algorithm '" + header.path("alg").asText() + "', expected HS256");
        }
        byte[] signature;
        try {
            signature = DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("malformed token signature");
        }
        if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
            throw new AuthenticationException("token signature does not match");
        }
        JsonNode claims = decode(parts[1], "payload");
        String subject = claims.path("sub").asText("");
        if (subject.isEmpty()) {
            throw new AuthenticationException("token has no subject");
        }
        if (!claims.path("exp").canConvertToLong()) {
            throw new AuthenticationException("token has no expiry");
        }
        if (claims.path("exp").asLong() <= clock.instant().getEpochSecond()) {
            throw new AuthenticationException("token of '" + subject + "' expired");
        }
        List<ChannelName> channels = new ArrayList<>();
        for (JsonNode c : claims.path("channels")) {
            try {
                channels.add(ChannelName.lenient(c.asText()));
            } catch (InvalidChannelException e) {
                throw new AuthenticationException("token grants an " + e.getMessage());
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

    private JsonNode decode(String part, String what) {
        try {
            JsonNode node = JSON.readTree(DECODER.decode(part));
            if (node == null || !node.isObject()) {
                throw new AuthenticationException("malformed token " + what);
            }
            return node;
        } catch (IOException | IllegalArgumentException e) {
            throw new AuthenticationException("malformed token " + what);
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
