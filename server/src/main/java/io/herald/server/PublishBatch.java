package io.herald.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import io.herald.api.HeraldException;
import io.herald.api.Publication;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a batch publish: a JSON array of publish objects, each as {@code POST /api/publish} takes one
 * ({@link PublishRequest}).
 *
 * <p>The whole body is parsed before anything is published, so JSON that does not parse, anywhere, refuses
 * the request (400) and publishes nothing, as does an empty array or one of more than
 * {@code publish.batch-max} elements (413). An element that parses but is not a valid publish (not an
 * object, a missing, unknown or mistyped field, a bad channel name, a reserved event type) becomes an
 * {@link Element} with its own refusal, and the others are unaffected.
 *
 * @param elements the elements, in the order of the array
 */
record PublishBatch(List<Element> elements) {

    /**
     * One element of the batch: the publication it asks for, or why it is refused.
     *
     * @param publication the publication, or {@code null} when refused
     * @param status the HTTP status of the refusal (0 when accepted)
     * @param refusal what is wrong with the element, or {@code null}
     */
    record Element(Publication publication, int status, String refusal) {

        static Element refused(int status, String refusal) {
            return new Element(null, status, refusal);
        }
    }

    /**
     * Parses a body whose first significant byte is {@code [}.
     *
     * @throws ClientError 400 for malformed JSON, trailing content or an empty array; 413 for more than
     *     {@code max} elements
     */
    static PublishBatch parse(byte[] body, int max) {
        try (JsonParser parser = PublishRequest.parser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw ClientError.badRequest("a batch publish must be a JSON array of publish objects");
            }
            JsonStreamContext array = parser.getParsingContext();
            List<Element> elements = new ArrayList<>();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (elements.size() == max) {
                    throw new ClientError(413, "a batch publish holds at most " + max + " messages (publish.batch-max)");
                }
                elements.add(element(parser, token, body, array));
            }
            if (parser.nextToken() != null) {
                throw ClientError.badRequest("malformed JSON: unexpected content after the array");
            }
            if (elements.isEmpty()) {
                throw ClientError.badRequest("a batch publish must hold at least one message");
            }
            return new PublishBatch(elements);
        } catch (IOException e) {
            throw PublishRequest.malformed(e);
        }
    }

    /** The element the parser is at; leaves the parser at its last token, back in the array. */
    private static Element element(JsonParser parser, JsonToken token, byte[] body, JsonStreamContext array) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            if (token.isStructStart()) {
                parser.skipChildren();
            }
            return Element.refused(400, "each message of a batch must be a JSON object like {\"channel\": ..., \"data\": ...}");
        }
        try {
            PublishRequest request = PublishRequest.read(parser, body);
            return new Element(request.toPublication(), 0, null);
        } catch (ClientError e) {
            skipRest(parser, array);
            return Element.refused(e.status(), e.getMessage());
        } catch (HeraldException e) {
            // An invalid channel name or a reserved event type: the object itself was read to its end.
            skipRest(parser, array);
            return Element.refused(JsonHandler.statusOf(e), e.getMessage());
        }
    }

    /** Reads on to the end of the element being refused, checking the JSON as it goes. */
    private static void skipRest(JsonParser parser, JsonStreamContext array) throws IOException {
        while (parser.getParsingContext() != array) {
            if (parser.nextToken() == null) {
                throw ClientError.badRequest("malformed JSON: the body ends inside the array");
            }
        }
    }
}
