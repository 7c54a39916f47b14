package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A held {@code /meta/connect} is watched so that a client that goes away is noticed at once, yet its answer
 * keeps the connection open: the client's next request travels on the same connection (HTTP keep-alive), as
 * Faye's and CometD's pooled HTTP clients expect. Over a raw socket, so the connection is the test's own.
 */
class BayeuxKeepAliveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "30s"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One HTTP/1.1 response: its headers (lower-case names) and body. */
    private record Answer(int status, Map<String, String> headers, String body) {
    }

    private static void post(OutputStream out, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("POST /bayeux HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static Answer read(InputStream in) throws IOException {
        int status = Integer.parseInt(line(in).split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
        } else {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String connect(String clientId, long timeout) {
        return "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId + "\",\"connectionType\":\"long-polling\""
                + (timeout >= 0 ? ",\"advice\":{\"timeout\":" + timeout + "}" : "") + "}]";
    }

    @Test
    @DisplayName("a held connect's answer keeps the connection, which carries the client's next request")
    void heldConnectKeepsTheConnection() throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(server.bayeux()).handshake();
        client.subscribe("/news/today");
        try (Socket socket = new Socket("127.0.0.1", server.uri.getPort())) {
            socket.setSoTimeout(10_000);
            post(socket.getOutputStream(), connect(client.clientId, -1));
            await().until(() -> server.server().local(client.clientId).isHolding());
            server.herald.publish(ChannelName.of("/news/today"), "{\"n\":1}");
            Answer held = read(socket.getInputStream());
            assertThat(held.status()).isEqualTo(200);
            assertThat(held.headers()).doesNotContainEntry("connection", "close");
            assertThat(held.body()).contains("{\"n\":1}");

            post(socket.getOutputStream(), connect(client.clientId, 0));
            Answer next = read(socket.getInputStream());
            assertThat(next.status()).isEqualTo(200);
            JsonNode reply = JSON.readTree(next.body()).get(0);
            assertThat(reply.get("channel").asText()).isEqualTo("/meta/connect");
            assertThat(reply.get("successful").asBoolean()).isTrue();
        }
    }

    @Test
    @DisplayName("a client that goes away while its connect is held is still noticed at once")
    void aClientGoneWhileHeldIsNoticed() throws Exception {
        BayeuxTestClient client = new BayeuxTestClient(server.bayeux()).handshake();
        client.subscribe("/news/today");
        try (Socket socket = new Socket("127.0.0.1", server.uri.getPort())) {
            post(socket.getOutputStream(), connect(client.clientId, -1));
            await().until(() -> server.server().local(client.clientId).isHolding());
        }
        await().until(() -> !server.server().local(client.clientId).isHolding());
    }
}
