package io.herald.http;

import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The API key check of every admin endpoint, whichever module serves it (publish, history, presence, stats,
 * cursor, the SSE counters, metrics): with {@code api.key} set, a request must carry
 * {@code Authorization: Bearer <key>}; without it, every request passes. One class, so that no endpoint
 * guards itself differently. The key is compared in constant time. Immutable and thread-safe.
 */
@Singleton
public final class ApiKeyGuard {

    /** Why a request was refused, and what it is told in {@code WWW-Authenticate}. */
    public enum Refusal {
        MISSING("Bearer realm=\"herald\"", "this API requires Authorization: Bearer <api key>"),
        WRONG("Bearer realm=\"herald\", error=\"invalid_token\"", "the bearer key does not match the API key");

        public final String challenge;
        public final String message;

        Refusal(String challenge, String message) {
            this.challenge = challenge;
            this.message = message;
        }
    }

    private final byte[] key;

    @Inject
    public ApiKeyGuard(Settings settings) {
        String configured = settings.get(HttpSettings.API_KEY);
        this.key = configured == null ? null : configured.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an API key is configured. */
    public boolean enabled() {
        return key != null;
    }

    /** Why {@code request} may not pass, or {@code null} when it may. */
    public Refusal check(Request request) {
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

    /**
     * Answers 401 with the challenge and a JSON error when {@code request} may not pass.
     *
     * @return whether the request was refused (and the exchange completed)
     */
    public boolean refused(Request request, Response response, Callback callback) {
        Refusal refusal = check(request);
        if (refusal == null) {
            return false;
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refusal.challenge);
        JsonResponses.error(response, callback, 401, refusal.message);
        return true;
    }
}
