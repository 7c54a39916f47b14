package io.herald.server;

import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Engine;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /api/publish}: publishes {@code data} unchanged to {@code channel} and answers
 * {@code {"channel", "id", "position": {"epoch", "offset"}}}. The body must be declared
 * {@code Content-Type: application/json} (415 otherwise).
 *
 * <p>Publishes as {@link Principal#SERVER}: the caller either presented the API key or none is configured.
 * The body is read without holding a thread ({@link RequestBodies}: bounded in number and in time) and capped
 * at {@code publish.max-payload} plus {@value #ENVELOPE} bytes for the fields around {@code data}; beyond that
 * it is refused with 413 without being read to the end. A refused request stores nothing. A publication with
 * an {@code id} is idempotent per channel while the message is retained: a retry (after a timeout, on any
 * node) answers the original message's id and position and publishes nothing. The answer is written when
 * the asynchronous publish completes; no thread waits for the store. Thread-safe.
 */
@Singleton
final class PublishHandler extends JsonHandler {

    /** Room for {@code channel}, {@code event}, {@code id} and spacing beside the payload. */
    static final int ENVELOPE = 16 * 1024;

    private final Engine engine;
    private final RequestBodies bodies;
    private final int bodyCap;

    @Inject
    PublishHandler(Engine engine, RequestBodies bodies, ApiKeyGuard guard, Settings settings) {
        super("POST", guard);
        this.engine = engine;
        this.bodies = bodies;
        this.bodyCap = (int) Math.min(Integer.MAX_VALUE - 1L, settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD) + ENVELOPE);
    }

    /**
     * Publishes without holding the request's thread while the store works: the answer is written when the
     * publish completes, on whichever thread completes it.
     */
    @Override
    protected void serve(Request request, Response response, Callback callback) {
        requireJson(request);
        bodies.read(request, bodyCap, body -> {
            try {
                publish(request, body, response, callback);
            } catch (IOException | RuntimeException e) {
                answer(request, response, callback, e);
            }
        }, failure -> answer(request, response, callback, failure));
    }

    private void publish(Request request, byte[] body, Response response, Callback callback) throws IOException {
        PublishRequest publish = PublishRequest.parse(body);
        engine.publishAsync(Principal.SERVER, publish.toPublication()).whenComplete((message, failure) -> {
            if (failure != null) {
                answer(request, response, callback, failure instanceof CompletionException ? failure.getCause() : failure);
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
                answer(request, response, callback, e);
            }
        });
    }

    /**
     * Refuses with 415 a body not declared {@code application/json}. A browser sends {@code text/plain},
     * form and multipart bodies cross-origin without a preflight, so without this check any web page could
     * publish through a visitor's browser to a server that has no API key; a JSON content type forces the
     * preflight, which the API does not answer.
     */
    private static void requireJson(Request request) {
        String declared = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mediaType = declared == null ? "" : declared.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals(Publication.JSON)) {
            throw new ClientError(415, "request body must be declared Content-Type: application/json, not "
                    + (declared == null ? "nothing" : "'" + declared + "'"));
        }
    }
}
