package io.herald.examples.jetty;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.Herald;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The application's own routes, which know nothing of SSE: {@code GET /} a page that subscribes to the news,
 * {@code POST /news} (the headline as plain text) publishes one through Herald. Thread-safe.
 */
final class NewsRoutes extends Handler.Abstract {

    static final ChannelName NEWS = ChannelName.of("/news");

    private static final String PAGE = """
            <!doctype html>
            <title>News</title>
            <ul id="news"></ul>
            <script>
              new EventSource("/events?channel=news").onmessage = e => {
                const li = document.createElement("li");
                li.textContent = JSON.parse(e.data).headline;
                document.getElementById("news").append(li);
              };
            </script>
            """;

    private final Herald herald;

    NewsRoutes(Herald herald) {
        this.herald = herald;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.equals("/") && HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
            Content.Sink.write(response, true, PAGE, callback);
            return true;
        }
        if (path.equals("/news") && HttpMethod.POST.is(request.getMethod())) {
            String headline;
            try {
                // Blocking is fine here: a short form body, on one of Jetty's pool threads.
                headline = Content.Source.asString(request, StandardCharsets.UTF_8);
            } catch (IOException e) {
                callback.failed(e);
                return true;
            }
            Message message = herald.publish(NEWS, "{\"headline\":" + quote(headline.strip()) + "}");
            response.setStatus(201);
            Content.Sink.write(response, true, message.id(), callback);
            return true;
        }
        return false;
    }

    /** {@code text} as a JSON string. */
    static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
