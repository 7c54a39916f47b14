package io.herald.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** A minimal EventSource for tests: reads one SSE stream on a thread of its own and keeps its events. */
final class SseStream implements AutoCloseable {

    /** One event as a client sees it. */
    record Event(String id, String type, String data) {
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    final List<Event> events = new CopyOnWriteArrayList<>();
    private final Stream<String> lines;
    private volatile boolean ended;

    private SseStream(Stream<String> lines) {
        this.lines = lines;
        Thread reader = new Thread(this::read, "sse-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code uri}, sending {@code Last-Event-ID} unless it is {@code null}. */
    static SseStream open(URI uri, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError("SSE stream " + uri + " answered " + response.statusCode());
            }
            return new SseStream(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The events of the default type: the messages. */
    List<Event> messages() {
        return events.stream().filter(e -> e.type() == null || e.type().equals("message")).toList();
    }

    boolean ended() {
        return ended;
    }

    private void read() {
        String id = null;
        String type = null;
        StringBuilder data = null;
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, type, data.toString()));
                    }
                    id = null;
                    type = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> type = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (RuntimeException e) {
            // The server closed the stream, or the test did.
        } finally {
            ended = true;
        }
    }

    @Override
    public void close() {
        lines.close();
    }
}
