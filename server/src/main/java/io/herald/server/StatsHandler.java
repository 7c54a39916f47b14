package io.herald.server;

import io.herald.core.Engine;
import io.herald.core.EngineStats;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/stats}: the engine's counters since start ({@link EngineStats}), with the uptime, the store
 * and transports in use and the version. Thread-safe.
 */
@Singleton
final class StatsHandler extends JsonHandler {

    private final Engine engine;
    private final Readiness readiness;
    private final Clock clock;
    private final String store;
    private final List<String> transports;

    @Inject
    StatsHandler(Engine engine, Readiness readiness, Clock clock, Settings settings, ApiKeyGuard guard) {
        super("GET", guard);
        this.engine = engine;
        this.readiness = readiness;
        this.clock = clock;
        this.store = settings.get(CoreSettings.STORE);
        this.transports = settings.get(CoreSettings.TRANSPORTS);
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        EngineStats stats = engine.stats();
        Instant since = readiness.readySince();
        send(response, callback, 200, json -> {
            json.writeStartObject();
            json.writeNumberField("published", stats.published());
            json.writeNumberField("delivered", stats.delivered());
            json.writeNumberField("gaps", stats.gaps());
            json.writeNumberField("cutOffs", stats.cutOffs());
            json.writeNumberField("subscriptions", stats.subscriptions());
            json.writeNumberField("channels", stats.channels());
            json.writeNumberField("uptimeSeconds", since == null ? 0 : Duration.between(since, clock.instant()).toSeconds());
            json.writeStringField("startedAt", since == null ? null : since.toString());
            json.writeStringField("store", store);
            json.writeArrayFieldStart("transports");
            for (String transport : transports) {
                json.writeString(transport);
            }
            json.writeEndArray();
            json.writeStringField("version", ServerVersion.VALUE);
            json.writeEndObject();
        });
    }
}
