package io.herald.server;

import io.herald.core.config.Settings;
import io.herald.http.ApiKeyGuard;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: every meter in Prometheus text format (OpenMetrics when the scraper asks for it in
 * {@code Accept}). An admin endpoint like {@code /api/stats}, whose counters it repeats: with an API key it
 * needs the key, unless {@code metrics.public} opens it for scrapers that cannot send one. Thread-safe.
 */
@Singleton
final class MetricsHandler extends JsonHandler {

    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    @Inject
    MetricsHandler(PrometheusMeterRegistry registry, ApiKeyGuard guard, Settings settings) {
        super("GET", settings.get(ServerSettings.METRICS_PUBLIC) ? null : guard);
        this.registry = registry;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_FORMAT;
        byte[] body = registry.scrape(contentType).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }
}
