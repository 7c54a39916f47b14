package io.herald.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One STOMP frame: a command, headers in the order they were given (the first of repeated headers wins, as
 * the spec says) and a body. Header names and values here are decoded text, never escaped. Immutable; the
 * body array is not copied and must not be changed by whoever passes it in.
 *
 * @param command {@code SEND}, {@code MESSAGE}, ...
 * @param headers decoded headers, in order
 * @param body the body bytes, empty for frames without one
 */
public record StompFrame(String command, Map<String, String> headers, byte[] body) {

    private static final byte[] NONE = new byte[0];

    public StompFrame {
        Objects.requireNonNull(command, "command");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        body = body == null ? NONE : body;
    }

    /** A frame without a body. */
    public static StompFrame of(String command, Map<String, String> headers) {
        return new StompFrame(command, headers, NONE);
    }

    /** The header's value, or {@code null}. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The header's value, or {@code fallback}. */
    public String header(String name, String fallback) {
        String value = headers.get(name);
        return value == null ? fallback : value;
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StompFrame f && command.equals(f.command) && headers.equals(f.headers)
                && java.util.Arrays.equals(body, f.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, headers, java.util.Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return command + headers + (body.length == 0 ? "" : " (" + body.length + " bytes)");
    }
}
