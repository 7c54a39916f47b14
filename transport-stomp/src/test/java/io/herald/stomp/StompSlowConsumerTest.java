package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Server-side flow control (G6): a client that stops reading is cut off once its bounded outbox is full,
 * and a durable subscription then resumes from history on the next connection, missing nothing.
 */
class StompSlowConsumerTest {

    @Test
    void aClientThatDoesNotReadIsCutOffAndItsDurableSubscriptionResumesFromHistory() throws Exception {
        Settings settings = Settings.defaults().with(CoreSettings.SUBSCRIBER_QUEUE, "32").with(CoreSettings.HISTORY_SIZE, "5000")
                .with(CoreSettings.PUBLISH_MAX_PAYLOAD, "128KiB");
        int total = 400;
        String body = "x".repeat(32 * 1024);
        try (StompServer server = new StompServer(settings);
             Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.http.getPort()));
            handshake(stalled, server.http.getPort());
            OutputStream out = stalled.getOutputStream();
            writeText(out, StompFrameEncoder.encode(StompFrame.of("CONNECT", headers("accept-version", "1.2")), StompVersion.V1_2));
            writeText(out, StompFrameEncoder.encode(StompFrame.of("SUBSCRIBE", headers("id", "d", "destination", "/topic/slow.a",
                    "durable", "true", "ack", "client-individual", "prefetch-count", "10000")), StompVersion.V1_2));
            Awaitility.await().until(() -> server.transport().durables.size() == 1);
            for (int i = 1; i <= total; i++) {
                server.herald.publish(new io.herald.api.Publication(ChannelName.of("/slow/a"), null, null,
                        io.herald.api.Payload.utf8(i + ":" + body), "text/plain", null));
            }
            // The client reads nothing: its outbox fills, it is cut off, and the connection ends.
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(server.transport().cutOffs.sum()).isEqualTo(1);
                assertThat(server.transport().connected()).isZero();
            });

            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("d", "/topic/slow.a", "durable", "true", "ack", "client-individual", "prefetch-count", "50");
                Set<Integer> seen = new HashSet<>();
                int expected = 1;
                while (seen.size() < total) {
                    StompFrame m = c.next("MESSAGE");
                    int n = Integer.parseInt(m.text().substring(0, m.text().indexOf(':')));
                    if (seen.add(n)) {
                        assertThat(n).as("first deliveries in order").isEqualTo(expected++);
                    } else {
                        assertThat(m.header("redelivered")).isEqualTo("true");
                    }
                    c.send("ACK", headers("id", m.header("ack")));
                }
            }
        }
    }

    private static void handshake(Socket socket, int port) throws Exception {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET /stomp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: v12.stomp\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder response = new StringBuilder();
        while (!response.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("handshake refused: " + response);
            }
            response.append((char) b);
        }
        assertThat(response.toString()).startsWith("HTTP/1.1 101").containsIgnoringCase("Sec-WebSocket-Protocol: v12.stomp");
    }

    /** One masked text frame, as a client must send. */
    private static void writeText(OutputStream out, byte[] payload) throws Exception {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }
}
