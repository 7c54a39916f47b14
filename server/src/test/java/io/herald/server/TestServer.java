package io.herald.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A server started in-process on a free port, with a plain HTTP/1.1 client to talk to it. */
final class TestServer implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final RunningServer server;

    private TestServer(RunningServer server) {
        this.server = server;
    }

    static TestServer start(String... args) {
        return start(Map.of(), args);
    }

    static TestServer start(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1"));
        all.addAll(List.of(args));
        return new TestServer(HeraldServer.start(all, env));
    }

    static TestServer of(RunningServer server) {
        return new TestServer(server);
    }

    RunningServer server() {
        return server;
    }

    URI uri(String pathAndQuery) {
        return server.uri().resolve(pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET(), headers);
    }

    /** POSTs {@code body} declared as {@code application/json}, unless {@code headers} declare another type. */
    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("content-type");
        }
        if (!typed) {
            request.header("Content-Type", "application/json");
        }
        return send(request, headers);
    }

    HttpResponse<String> request(String method, String path, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()), headers);
    }

    static HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code request} as written on a new connection and returns everything read until it closes. */
    String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} on a new connection and returns what was read up to the end of the answer's headers. */
    String rawHead(String request) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            int c;
            while (!head.toString().endsWith("\r\n\r\n") && (c = socket.getInputStream().read()) != -1) {
                head.append((char) c);
            }
            return head.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes {@code {"channel": channel, "data": data}} and returns the answer. */
    HttpResponse<String> publish(String channel, String data, String... headers) {
        return post("/api/publish", "{\"channel\":\"" + channel + "\",\"data\":" + data + "}", headers);
    }

    @Override
    public void close() {
        server.stop();
    }
}
