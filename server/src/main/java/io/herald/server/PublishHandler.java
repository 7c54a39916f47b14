package io.herald.server;

import io.herald.api.HeraldException;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Engine;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/publish}: publishes {@code data} unchanged to {@code channel} and answers
 * {@code {"channel", "id", "position": {"epoch", "offset"}}}; or, given a JSON array of such objects (a batch),
 * publishes each and answers {@code {"published", "failed", "results": [...]}} with one result per element, in
 * order: its message as above, or its own refusal {@code {"error", "status"}}. The body must be declared
 * {@code Content-Type: application/json} (415 otherwise).
 *
 * <p>Publishes as {@link Principal#SERVER}: the caller either presented the API key or none is configured.
 * The body is read without holding a thread ({@link RequestBodies}: bounded in number and in time) and capped
 * at {@code publish.max-payload} plus {@value #ENVELOPE} bytes for the fields around {@code data}, or at
 * {@code publish.batch-max-bytes} for an array; beyond that it is refused with 413 without being read to the
 * end. A refused request stores nothing. In a batch, each element succeeds or fails on its own, as if it had
 * been sent alone, and elements of one channel take positions in array order; a body that is not valid JSON,
 * an empty array or one of more than {@code publish.batch-max} elements refuses the whole request and
 * publishes nothing. A publication with an {@code id} is idempotent per channel while the message is
 * retained: a retry (after a timeout, on any node) answers the original message's id and position and
 * publishes nothing. The answer is written when the asynchronous publishes complete; no thread waits for the
 * store. When the engine's publish never waits (memory store and broker) the handler declares itself
 * non-blocking and runs on the selector thread that parsed the request; with a remote store or broker, whose
 * append may wait for room in its pipeline, it runs on the pool. Thread-safe.
 */
@Singleton
final class PublishHandler extends JsonHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);

    /** Room for {@code channel}, {@code event}, {@code id} and spacing beside the payload. */
    static final int ENVELOPE = 16 * 1024;

    private final Engine engine;
    private final RequestBodies bodies;
    private final int bodyCap;
    private final int batchCap;
    private final int batchMax;

    @Inject
    PublishHandler(Engine engine, RequestBodies bodies, ApiKeyGuard guard, Settings settings) {
        // On the memory store and broker nothing here waits: the HTTP server answers on the thread that parsed the
        // request, with no hand-off to the pool (a body still on its way is awaited without holding that thread).
        super("POST", guard, engine.publishesWithoutWaiting() ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING);
        this.engine = engine;
        this.bodies = bodies;
        this.bodyCap = (int) Math.min(Integer.MAX_VALUE - 1L, settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD) + ENVELOPE);
        this.batchCap = (int) Math.min(Integer.MAX_VALUE - 1L, settings.get(ServerSettings.PUBLISH_BATCH_MAX_BYTES));
        this.batchMax = settings.get(ServerSettings.PUBLISH_BATCH_MAX);
    }

    /**
     * Publishes without holding the request's thread while the store works: the answer is written when the
     * publish completes, on whichever thread completes it. A body is capped as an object until its first byte
     * shows an array, so a single publish is refused at the same size as before batches existed.
     */
    @Override
    protected void serve(Request request, Response response, Callback callback) {
        requireJson(request);
        int maxCap = Math.max(bodyCap, batchCap);
        bodies.read(request, maxCap, first -> first == '[' ? batchCap : bodyCap, body -> {
            try {
                if (isArray(body)) {
                    publishBatch(request, body, response, callback);
                } else {
                    publish(request, body, response, callback);
                }
            } catch (RuntimeException e) {
                answer(request, response, callback, e);
            }
        }, failure -> answer(request, response, callback, failure));
    }

    private void publish(Request request, byte[] body, Response response, Callback callback) {
        PublishRequest publish = PublishRequest.parse(body);
        engine.publishAsync(Principal.SERVER, publish.toPublication()).whenComplete((message, failure) -> {
            if (failure != null) {
                answer(request, response, callback, unwrap(failure));
                return;
            }
            try {
                send(response, callback, 200, new PublishAnswer(128).message(message).buffer());
            } catch (RuntimeException e) {
                answer(request, response, callback, e);
            }
        });
    }

    /**
     * Publishes each valid element, in array order (so a channel's elements take positions in that order), and
     * answers once every one has completed: {@code {"published", "failed", "results": [...]}} with one result
     * per element, in order, either its message or its own refusal.
     */
    private void publishBatch(Request request, byte[] body, Response response, Callback callback) {
        PublishBatch batch = PublishBatch.parse(body, batchMax);
        List<PublishBatch.Element> elements = batch.elements();
        Object[] outcomes = new Object[elements.size()];
        AtomicInteger remaining = new AtomicInteger(elements.size());
        Runnable done = () -> {
            try {
                send(response, callback, 200, batchAnswer(request, outcomes));
            } catch (RuntimeException e) {
                answer(request, response, callback, e);
            }
        };
        for (int i = 0; i < outcomes.length; i++) {
            PublishBatch.Element element = elements.get(i);
            if (element.publication() == null) {
                outcomes[i] = new ClientError(element.status(), element.refusal());
                if (remaining.decrementAndGet() == 0) {
                    done.run();
                }
                continue;
            }
            int index = i;
            engine.publishAsync(Principal.SERVER, element.publication()).whenComplete((message, failure) -> {
                // Each slot is written by one completion; the countdown publishes them to the thread that answers.
                outcomes[index] = failure != null ? unwrap(failure) : message;
                if (remaining.decrementAndGet() == 0) {
                    done.run();
                }
            });
        }
    }

    /**
     * {@code {"published": n, "failed": m, "results": [...]}}: each element's message, or its refusal as
     * {@code {"error", "status"}} with the status a single publish would have been answered with. Refusals are
     * logged as one line per batch (the first one named), not one per element.
     */
    private ByteBuffer batchAnswer(Request request, Object[] outcomes) {
        int failed = 0;
        for (Object outcome : outcomes) {
            failed += outcome instanceof Message ? 0 : 1;
        }
        PublishAnswer answer = new PublishAnswer(64 + 112 * outcomes.length);
        answer.ascii("{\"published\":").number(outcomes.length - failed).ascii(",\"failed\":").number(failed);
        answer.ascii(",\"results\":[");
        String first = null;
        for (int i = 0; i < outcomes.length; i++) {
            if (i > 0) {
                answer.ascii(",");
            }
            if (outcomes[i] instanceof Message message) {
                answer.message(message);
                continue;
            }
            Throwable failure = (Throwable) outcomes[i];
            int status;
            String reason;
            if (failure instanceof ClientError client) {
                status = client.status();
                reason = client.getMessage();
            } else if (failure instanceof HeraldException herald) {
                status = statusOf(herald);
                reason = herald.getMessage();
            } else {
                // A bug, as a 500 is for a single publish: logged with its trace, and the element reports it.
                LOG.error("{} {}: batch element {} failed", request.getMethod(), path(request), i, failure);
                status = 500;
                reason = "internal server error";
            }
            answer.error(status, reason);
            if (first == null) {
                first = "element " + i + ": " + status + " " + reason;
            }
        }
        answer.ascii("]}");
        if (failed > 0) {
            LOG.info("{} {} from {}: batch of {}, {} refused; first {}", request.getMethod(), path(request),
                    Request.getRemoteAddr(request), outcomes.length, failed, first);
        }
        return answer.buffer();
    }

    /** Whether the body's first byte other than JSON whitespace opens an array. */
    static boolean isArray(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '[';
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /**
     * Refuses with 415 a body not declared {@code application/json}. A browser sends {@code text/plain},
     * form and multipart bodies cross-origin without a preflight, so without this check any web page could
     * publish through a visitor's browser to a server that has no API key; a JSON content type forces the
     * preflight, which the API does not answer.
     */
    private static void requireJson(Request request) {
        String declared = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJson(declared)) {
            throw new ClientError(415, "request body must be declared Content-Type: application/json, not "
                    + (declared == null ? "nothing" : "'" + declared + "'"));
        }
    }

    /** Whether a {@code Content-Type} value names {@code application/json}, parameters and case aside. */
    static boolean isJson(String declared) {
        if (declared == null) {
            return false;
        }
        int end = declared.indexOf(';');
        end = end < 0 ? declared.length() : end;
        int start = 0;
        while (start < end && Character.isWhitespace(declared.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(declared.charAt(end - 1))) {
            end--;
        }
        return end - start == Publication.JSON.length() && declared.regionMatches(true, start, Publication.JSON, 0, end - start);
    }
}
