package io.herald.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium's native EventSource on a page served from an origin of its own (another port), so
 * every request to Herald is cross-origin and CORS is exercised. The page reports what it sees to this
 * page server. Fails (never skips) when Chromium is missing.
 */
final class BrowserEventSource implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer pages;
    private final Process browser;
    private final Path profile;
    final BlockingQueue<JsonNode> seen = new LinkedBlockingQueue<>();

    BrowserEventSource(String heraldUrl, boolean withCredentials) throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/page.html", exchange -> {
            byte[] page;
            try (InputStream in = BrowserEventSource.class.getResourceAsStream("/browser/eventsource.html")) {
                page = in.readAllBytes();
            }
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.createContext("/report", exchange -> {
            seen.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        pages.start();
        profile = Files.createTempDirectory("herald-chromium");
        String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/page.html?herald="
                + URLEncoder.encode(heraldUrl, StandardCharsets.UTF_8) + "&credentials=" + (withCredentials ? "1" : "0");
        browser = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, page)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The page's origin, to list in {@code cors.origins}. */
    static String originOf(BrowserEventSource b) {
        return "http://127.0.0.1:" + b.pages.getAddress().getPort();
    }

    JsonNode next(String kind) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode node = seen.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (node == null) {
                throw new AssertionError("Chromium reported no '" + kind + "' within 20 s"
                        + (browser.isAlive() ? "" : " (chromium exited with " + browser.exitValue() + ")"));
            }
            if (node.get("kind").asText().equals(kind)) {
                return node;
            }
        }
    }

    @Override
    public void close() throws IOException {
        // Chromium's helper processes outlive the main one unless stopped too, and keep writing the profile.
        List<ProcessHandle> helpers = browser.descendants().toList();
        browser.destroy();
        helpers.forEach(ProcessHandle::destroy);
        try {
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
            for (ProcessHandle helper : helpers) {
                helper.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            browser.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            helpers.forEach(ProcessHandle::destroyForcibly);
        }
        pages.stop(0);
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // A file that vanished while walking is one less to delete; the temporary directory is best effort.
        }
    }
}
