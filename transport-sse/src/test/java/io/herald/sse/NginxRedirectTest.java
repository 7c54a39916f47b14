package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The nginx configuration of docs/nginx.md, run for real: an application answers X-Accel-Redirect, nginx
 * streams from Herald through its internal location, and Last-Event-ID survives the redirect.
 */
class NginxRedirectTest {

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The server block of docs/nginx.md with the ports of this test. */
    private static String documentedServerBlock(int nginx, int app, int herald) throws IOException {
        String doc = Files.readString(Path.of("../docs/nginx.md"));
        Matcher block = Pattern.compile("```nginx\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("docs/nginx.md has an nginx block").isTrue();
        return block.group(1)
                .replace("127.0.0.1:3000", "127.0.0.1:" + app)
                .replace("127.0.0.1:8080", "127.0.0.1:" + herald)
                .replace("listen 80;", "listen 127.0.0.1:" + nginx + ";");
    }

    @Test
    void theDocumentedConfigurationStreamsThroughTheRedirectAndResumes() throws Exception {
        int nginxPort = freePort();
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/events", exchange -> {
            // The application decides the channels; nginx does the rest.
            exchange.getResponseHeaders().add(XAccelRedirect.HEADER,
                    XAccelRedirect.location("/herald-internal/sse", List.of(ChannelName.of("/user/42"), ChannelName.of("/news"))));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        app.start();
        Path prefix = Files.createTempDirectory("herald-nginx");
        try (SseServer herald = new SseServer(Settings.defaults())) {
            String conf = "worker_processes 1;\nerror_log " + prefix.resolve("error.log") + " warn;\npid " + prefix.resolve("nginx.pid") + ";\n"
                    + "events { worker_connections 64; }\nhttp {\n"
                    + "  access_log off;\n"
                    + "  client_body_temp_path " + prefix.resolve("body") + ";\n"
                    + "  proxy_temp_path " + prefix.resolve("proxy") + ";\n"
                    + documentedServerBlock(nginxPort, app.getAddress().getPort(), herald.uri.getPort()) + "}\n";
            Files.writeString(prefix.resolve("nginx.conf"), conf);
            Process nginx = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString(),
                    "-g", "daemon off; master_process off;")
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
            try {
                URI front = URI.create("http://127.0.0.1:" + nginxPort);
                org.awaitility.Awaitility.await().until(() -> {
                    try (java.net.Socket probe = new java.net.Socket("127.0.0.1", nginxPort)) {
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
                String lastId;
                try (SseTestClient client = SseTestClient.connect(front, "/events")) {
                    assertThat(client.status).isEqualTo(200);
                    assertThat(client.headers.get("content-type")).isEqualTo("text/event-stream");
                    client.next();
                    herald.herald.publish(ChannelName.of("/user/42"), "{\"for\":\"you\"}");
                    SseEvent event = client.next();
                    assertThat(event.data()).isEqualTo("{\"for\":\"you\"}");
                    lastId = event.id();
                }
                herald.herald.publish(ChannelName.of("/news"), "{\"while\":\"away\"}");
                try (SseTestClient client = SseTestClient.connect(front, "/events", Map.of("Last-Event-ID", lastId))) {
                    assertThat(client.next().data()).isEqualTo("{\"while\":\"away\"}");
                }
                try (SseTestClient direct = SseTestClient.connect(front, "/herald-internal/sse?channel=user/42")) {
                    assertThat(direct.status).as("the internal location is not reachable directly").isEqualTo(404);
                }
            } finally {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            app.stop(0);
            try (Stream<Path> files = Files.walk(prefix)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
