package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Text messages over the Bayeux WebSocket as frames ({@link TextFrames}): fragments are joined, the size limit and
 * UTF-8 are enforced on the whole message with the close codes of RFC 6455 (1009, 1007), and the socket serves on
 * after a fragmented message. Raw frames where the JDK's client cannot make them (a character split between two
 * fragments, bytes that are not UTF-8).
 */
class BayeuxWebSocketFramesTest {

    private static final int LIMIT = 2048;
    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s").with(BayeuxSettings.MAX_BODY, String.valueOf(LIMIT)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("a message in three fragments is one request; the next message, in one frame, is read on its own")
    void fragmentsAreJoined() throws Exception {
        BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
        BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
        String handshake = BayeuxTestClient.array(messages.handshakeMessage());
        int third = handshake.length() / 3;
        socket.ws.sendText(handshake.substring(0, third), false).get(5, TimeUnit.SECONDS);
        socket.ws.sendText(handshake.substring(third, 2 * third), false).get(5, TimeUnit.SECONDS);
        socket.ws.sendText(handshake.substring(2 * third), true).get(5, TimeUnit.SECONDS);
        JsonNode reply = socket.next().get(0);
        assertThat(reply.get("channel").asText()).isEqualTo("/meta/handshake");
        assertThat(reply.get("successful").asBoolean()).isTrue();
        messages.clientId = reply.get("clientId").asText();
        JsonNode subscribed = socket.send(BayeuxTestClient.array(messages.subscribeMessage("/frames/a"))).get(0);
        assertThat(subscribed.get("channel").asText()).isEqualTo("/meta/subscribe");
        assertThat(subscribed.get("successful").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("a message over the limit closes the socket with 1009, whether in one frame or in fragments each under it")
    void overTheLimit() throws Exception {
        String big = handshakeOf(LIMIT + 100);
        BayeuxTestSocket one = new BayeuxTestSocket(server.webSocket());
        one.ws.sendText(big, true);
        assertThat(one.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1009);

        BayeuxTestSocket fragmented = new BayeuxTestSocket(server.webSocket());
        int half = big.length() / 2;
        fragmented.ws.sendText(big.substring(0, half), false).get(5, TimeUnit.SECONDS);
        fragmented.ws.sendText(big.substring(half), true);
        assertThat(fragmented.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1009);

        // At the limit exactly is allowed.
        BayeuxTestSocket atLimit = new BayeuxTestSocket(server.webSocket());
        String exact = handshakeOf(LIMIT);
        assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);
        assertThat(atLimit.send(exact).get(0).get("successful").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("a character split between two fragments is joined; bytes that are not UTF-8 close the socket with 1007")
    void utf8IsCheckedOnTheWholeMessage() throws Exception {
        byte[] handshake = BayeuxTestClient.array(handshake("caf\u00e9")).getBytes(StandardCharsets.UTF_8);
        int split = indexOf(handshake, (byte) 0xC3) + 1; // between the two bytes of the é
        try (Socket raw = open()) {
            OutputStream out = raw.getOutputStream();
            writeFrame(out, 0x1, false, Arrays.copyOfRange(handshake, 0, split));
            writeFrame(out, 0x0, true, Arrays.copyOfRange(handshake, split, handshake.length));
            byte[] reply = readFrame(new DataInputStream(raw.getInputStream()), 0x1);
            JsonNode answer = BayeuxTestClient.JSON.readTree(reply).get(0);
            assertThat(answer.get("channel").asText()).isEqualTo("/meta/handshake");
            assertThat(answer.get("successful").asBoolean()).isTrue();
        }
        try (Socket raw = open()) {
            byte[] bad = handshake.clone();
            bad[split] = (byte) 0x41; // the é's second byte replaced: C3 41 is not UTF-8
            writeFrame(raw.getOutputStream(), 0x1, true, bad);
            byte[] close = readFrame(new DataInputStream(raw.getInputStream()), 0x8);
            assertThat(((close[0] & 0xFF) << 8) | (close[1] & 0xFF)).isEqualTo(1007);
        }
    }

    /** A handshake whose ext carries {@code note} (which the server ignores). */
    private ObjectNode handshake(String note) {
        ObjectNode m = new BayeuxTestClient(server.bayeux()).handshakeMessage();
        m.putObject("ext").put("note", note);
        return m;
    }

    /** A handshake request of exactly {@code bytes} bytes (ASCII), padded in its ext. */
    private String handshakeOf(int bytes) {
        String empty = BayeuxTestClient.array(handshake(""));
        return BayeuxTestClient.array(handshake("x".repeat(bytes - empty.length())));
    }

    private Socket open() throws Exception {
        Socket socket = new Socket("127.0.0.1", server.uri.getPort());
        socket.setSoTimeout(5000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET /bayeux HTTP/1.1\r\nHost: 127.0.0.1:" + server.uri.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        while (!response.toString().endsWith("\r\n\r\n")) {
            int b = socket.getInputStream().read();
            assertThat(b).as("handshake response so far: %s", response).isNotNegative();
            response.append((char) b);
        }
        assertThat(response.toString()).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** One masked frame, as a client must send. */
    private static void writeFrame(OutputStream out, int opcode, boolean fin, byte[] payload) throws Exception {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xFF);
        }
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The payload of the next server frame of {@code opcode}, skipping others (server frames are not masked). */
    private static byte[] readFrame(DataInputStream in, int opcode) throws Exception {
        while (true) {
            int first = in.readUnsignedByte();
            int length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = (int) in.readLong();
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if ((first & 0x0F) == opcode) {
                return payload;
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no byte " + b);
    }
}
