package io.herald.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writing JSON answers and JSON errors ({@code {"error": "...", "status": 400}}), the same way everywhere. */
public final class JsonResponses {

    /** The mapper every HTTP endpoint shares; configured once, thread-safe. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonResponses() {
    }

    /** Completes the exchange with {@code status} and {@code body} serialized as JSON. */
    public static void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            Response.writeError(response.getRequest(), response, callback, 500, "cannot serialize response");
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Completes the exchange with a JSON error. */
    public static void error(Response response, Callback callback, int status, String message) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        body.put("status", status);
        send(response, callback, status, body);
    }

    /** The bytes of {@code text} as UTF-8, wrapped. */
    public static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
