package io.herald.sse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal SSE client over a raw socket (HTTP/1.1, chunked), so tests see the exact status, headers and
 * field lines, and can stop reading to play a slow consumer.
 */
final class SseTestClient implements AutoCloseable {

    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    final List<String> comments = new CopyOnWriteArrayList<>();
    final List<String> retries = new CopyOnWriteArrayList<>();
    volatile boolean ended;
    volatile String body;
    private final Socket socket;
    private final BufferedReader reader;
    private final Thread thread;

    private SseTestClient(Socket socket, BufferedReader reader, int status) {
        this.socket = socket;
        this.reader = reader;
        this.status = status;
        this.thread = new Thread(this::read, "sse-test-client");
        this.thread.setDaemon(true);
    }

    static SseTestClient connect(URI base, String pathAndQuery, Map<String, String> requestHeaders) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(30_000);
        StringBuilder request = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n");
        if (!requestHeaders.containsKey("Accept")) {
            request.append("Accept: text/event-stream\r\n");
        }
        requestHeaders.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String statusLine = reader.readLine();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        SseTestClient client = new SseTestClient(socket, reader, status);
        String line;
        while ((line = reader.readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            client.headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
        }
        client.thread.start();
        return client;
    }

    static SseTestClient connect(URI base, String pathAndQuery) throws IOException {
        return connect(base, pathAndQuery, Map.of());
    }

    private void read() {
        try {
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            if (!headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
                StringBuilder text = new StringBuilder();
                for (String line : readBody(chunked)) {
                    text.append(line);
                }
                body = text.toString();
                return;
            }
            String id = null;
            String type = null;
            StringBuilder data = null;
            for (String line : (Iterable<String>) () -> lines(chunked).iterator()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new SseEvent(id, type, data.toString()));
                    }
                    type = null;
                    data = null;
                    id = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line);
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> type = value;
                    case "retry" -> retries.add(value);
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Closed by the test or the server.
        } finally {
            ended = true;
        }
    }

    /** Lines of the event stream, de-chunked. */
    private java.util.stream.Stream<String> lines(boolean chunked) {
        if (!chunked) {
            return reader.lines();
        }
        List<String> pending = new ArrayList<>();
        return java.util.stream.Stream.generate(() -> {
            try {
                while (pending.isEmpty()) {
                    List<String> chunk = readChunk();
                    if (chunk == null) {
                        return null;
                    }
                    pending.addAll(chunk);
                }
                return pending.remove(0);
            } catch (IOException e) {
                return null;
            }
        }).takeWhile(l -> l != null);
    }

    private final StringBuilder partial = new StringBuilder();

    /** Reads one chunk; returns the complete lines it finishes, or null at the end. */
    private List<String> readChunk() throws IOException {
        // The CRLF that ends a chunk's data may only come with the next chunk, so it is skipped here.
        String size = reader.readLine();
        if (size != null && size.isEmpty()) {
            size = reader.readLine();
        }
        if (size == null) {
            return null;
        }
        int length = Integer.parseInt(size.trim(), 16);
        if (length == 0) {
            return null;
        }
        char[] buffer = new char[length];
        int read = 0;
        while (read < length) {
            int n = reader.read(buffer, read, length - read);
            if (n < 0) {
                return null;
            }
            read += n;
        }
        partial.append(buffer, 0, read);
        List<String> lines = new ArrayList<>();
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
            lines.add(partial.substring(0, newline));
            partial.delete(0, newline + 1);
        }
        return lines;
    }

    private List<String> readBody(boolean chunked) throws IOException {
        List<String> all = new ArrayList<>();
        if (chunked) {
            List<String> chunk;
            while ((chunk = readChunk()) != null) {
                all.addAll(chunk);
            }
            if (partial.length() > 0) {
                all.add(partial.toString());
            }
            return all;
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        char[] buffer = new char[length];
        int read = 0;
        while (read < length) {
            int n = reader.read(buffer, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        all.add(new String(buffer, 0, read));
        return all;
    }

    /** The next event, waiting up to {@code timeout}; fails when none comes. */
    SseEvent next(Duration timeout) throws InterruptedException {
        SseEvent event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + timeout + (ended ? " (stream ended)" : ""));
        }
        return event;
    }

    SseEvent next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** The next event of the default type, skipping Herald's control events. */
    SseEvent nextMessage() throws InterruptedException {
        while (true) {
            SseEvent event = next();
            if (event.isMessage()) {
                return event;
            }
        }
    }

    String awaitBody() {
        org.awaitility.Awaitility.await().until(() -> ended);
        return body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
