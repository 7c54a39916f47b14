package io.herald.server;

import io.herald.api.Principal;
import io.herald.core.Engine;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /api/publish}: publishes {@code data} unchanged to {@code channel} and answers
 * {@code {"channel", "id", "position": {"epoch", "offset"}}}.
 *
 * <p>Publishes as {@link Principal#SERVER}: the caller either presented the API key or none is configured.
 * The body is capped at {@code publish.max-payload} plus {@value #ENVELOPE} bytes for the fields around
 * {@code data}; beyond that it is refused with 413 without being read to the end. A refused request stores
 * nothing. A publication with an {@code id} is idempotent per channel while the message is retained: a retry
 * (after a timeout, on any node) answers the original message's id and position and publishes nothing.
 * Thread-safe.
 */
@Singleton
final class PublishHandler extends JsonHandler {

    /** Room for {@code channel}, {@code event}, {@code id} and spacing beside the payload. */
    static final int ENVELOPE = 16 * 1024;

    private final Engine engine;
    private final int bodyCap;

    @Inject
    PublishHandler(Engine engine, ApiKeyGuard guard, Settings settings) {
        super("POST", guard);
        this.engine = engine;
        this.bodyCap = (int) Math.min(Integer.MAX_VALUE - 1L, settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD) + ENVELOPE);
    }

    /**
     * Publishes without holding the request's thread while the store works: the answer is written when the
     * publish completes, on whichever thread completes it.
     */
    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        PublishRequest publish = PublishRequest.parse(RequestBody.read(request, bodyCap));
        engine.publishAsync(Principal.SERVER, publish.toPublication()).whenComplete((message, failure) -> {
            if (failure != null) {
                failed(request, response, callback, failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            try {
                send(response, callback, 200, json -> {
                    json.writeStartObject();
                    json.writeStringField("channel", message.channel().value());
                    json.writeStringField("id", message.id());
                    Json.position(json, "position", message.position());
                    json.writeEndObject();
                });
            } catch (IOException | RuntimeException e) {
                failed(request, response, callback, e);
            }
        });
    }
}
