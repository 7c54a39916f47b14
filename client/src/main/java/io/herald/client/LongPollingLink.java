package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Bayeux long polling: every array is one {@code POST}; the held {@code /meta/connect} and the other requests
 * travel side by side on the client's connection pool. A refusal with an HTTP status (400 for a body the server
 * cannot read) is turned into failed replies to what was sent; a network failure fails the link. Thread-safe.
 */
final class LongPollingLink implements Link {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_RESPONSE = 64 * 1024 * 1024;
    private final HttpClient http;
    private final URI uri;
    private final Listener listener;
    private volatile boolean closed;

    LongPollingLink(HttpClient http, URI uri, Listener listener) {
        this.http = http;
        this.uri = uri;
        this.listener = listener;
    }

    @Override
    public String connectionType() {
        return "long-polling";
    }

    @Override
    public void send(ArrayNode messages, long timeoutMillis) {
        if (closed) {
            listener.failed(this, new IOException("the long-polling link is closed"));
            return;
        }
        http.newRequest(uri).method(HttpMethod.POST).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .body(new StringRequestContent("application/json;charset=UTF-8", messages.toString()))
                .send(new BufferingResponseListener(MAX_RESPONSE) {
                    @Override
                    public void onComplete(Result result) {
                        answered(messages, result, getContentAsString());
                    }
                });
    }

    private void answered(ArrayNode sent, Result result, String body) {
        if (closed) {
            return;
        }
        if (result.isFailed()) {
            closed = true;
            listener.failed(this, result.getFailure());
            return;
        }
        int status = result.getResponse().getStatus();
        if (status == 200) {
            try {
                listener.received(this, JSON.readTree(body));
            } catch (IOException e) {
                closed = true;
                listener.failed(this, new IOException("the server answered with something that is not JSON", e));
            }
            return;
        }
        // The server refused the request as a whole: each message it carried failed with that status.
        ArrayNode failures = JSON.createArrayNode();
        for (JsonNode m : sent) {
            ObjectNode failure = failures.addObject();
            failure.set("channel", m.get("channel"));
            failure.set("id", m.get("id"));
            failure.put("successful", false);
            failure.put("error", status + "::HTTP " + status + " " + body.strip());
        }
        listener.received(this, failures);
    }

    @Override
    public void close() {
        closed = true;
    }
}
