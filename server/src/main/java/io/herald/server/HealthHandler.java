package io.herald.server;

import io.herald.core.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /health}: 200 {@code {"status": "UP", "checks": {"herald": "UP", "http": "UP", ...}}} when every
 * bound {@link HealthCheck} is healthy, which includes {@link Readiness} (the server has finished starting and
 * is not stopping); otherwise 503 {@code {"status": "DOWN", "checks": {...}}} with each problem in place of
 * {@code "UP"}. Always open: load balancers and orchestrators call it without the API key. Thread-safe.
 */
@Singleton
final class HealthHandler extends JsonHandler {

    private final Provider<Set<HealthCheck>> checks;

    /**
     * Takes the checks through a provider: the HTTP server is itself a check and needs this handler first.
     */
    @Inject
    HealthHandler(Provider<Set<HealthCheck>> checks) {
        super("GET", null);
        this.checks = checks;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        Map<String, String> results = new LinkedHashMap<>();
        boolean up = true;
        List<HealthCheck> sorted = checks.get().stream().sorted(Comparator.comparing(HealthCheck::name)).toList();
        for (HealthCheck check : sorted) {
            String problem = problemOf(check);
            up &= problem == null;
            results.merge(check.name(), problem == null ? "UP" : problem, (a, b) -> a.equals("UP") ? b : a);
        }
        boolean healthy = up;
        send(response, callback, healthy ? 200 : 503, json -> {
            json.writeStartObject();
            json.writeStringField("status", healthy ? "UP" : "DOWN");
            json.writeObjectFieldStart("checks");
            for (Map.Entry<String, String> result : results.entrySet()) {
                json.writeStringField(result.getKey(), result.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    private static String problemOf(HealthCheck check) {
        try {
            return check.problem();
        } catch (RuntimeException e) {
            // A check must not throw, but one that does is unhealthy, not a 500.
            return "check failed: " + e;
        }
    }
}
