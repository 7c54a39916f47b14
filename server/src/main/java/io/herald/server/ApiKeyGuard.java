package io.herald.server;

import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The API key check of the publish and admin API: with {@code api.key} set, a request must carry
 * {@code Authorization: Bearer <key>}; without it, every request passes. The key is compared in constant
 * time. Immutable and thread-safe.
 */
@Singleton
final class ApiKeyGuard {

    /** What a refused request is told in {@code WWW-Authenticate}. */
    enum Refusal {
        MISSING("Bearer realm=\"herald\"", "this API requires Authorization: Bearer <api key>"),
        WRONG("Bearer realm=\"herald\", error=\"invalid_token\"", "the bearer key does not match the API key");

        final String challenge;
        final String message;

        Refusal(String challenge, String message) {
            this.challenge = challenge;
            this.message = message;
        }
    }

    private final byte[] key;

    @Inject
    ApiKeyGuard(Settings settings) {
        String configured = settings.get(ServerSettings.API_KEY);
        this.key = configured == null ? null : configured.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an API key is configured. */
    boolean enabled() {
        return key != null;
    }

    /** Why {@code request} may not pass, or {@code null} when it may. */
    Refusal check(Request request) {
        if (key == null) {
            return null;
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return Refusal.MISSING;
        }
        byte[] presented = authorization.substring("bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, key) ? null : Refusal.WRONG;
    }
}
