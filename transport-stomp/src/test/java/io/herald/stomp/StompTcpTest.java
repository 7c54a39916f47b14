package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Plain TCP STOMP: off by default; on its port, the same codec and session code as over WebSocket. */
class StompTcpTest {

    /** A raw TCP STOMP client: frames back to back, decoded with the production decoder. */
    static final class TcpClient implements AutoCloseable {
        final Socket socket;
        final BlockingQueue<StompFrame> frames = new LinkedBlockingQueue<>();
        final StompFrameDecoder decoder = new StompFrameDecoder(StompLimits.DEFAULT);

        TcpClient(int port) throws Exception {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        decoder.decode(ByteBuffer.wrap(buffer, 0, n), frames::add);
                    }
                } catch (Exception e) {
                    // closed
                }
                frames.add(StompFrame.of("CLOSED", Map.of()));
            });
            reader.setDaemon(true);
            reader.start();
        }

        void send(String command, Map<String, String> headers, String body) throws Exception {
            socket.getOutputStream().write(StompFrameEncoder.encode(new StompFrame(command, headers,
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)), StompVersion.V1_2));
        }

        StompFrame next(String command) throws InterruptedException {
            StompFrame frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame").isNotNull();
            assertThat(frame.command()).as("%s %s", frame, frame.text()).isEqualTo(command);
            return frame;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void offByDefault() {
        try (StompServer server = new StompServer()) {
            assertThat(server.herald.injector().getInstance(StompTcpServer.class).port()).isEqualTo(-1);
        }
    }

    @Test
    void speaksStompOnItsPortSharingSubscriptionsWithWebSocketClients() throws Exception {
        int port = freePort();
        Settings settings = Settings.defaults().with(StompSettings.TCP_PORT, String.valueOf(port))
                .with(StompSettings.TCP_HOST, "127.0.0.1");
        try (StompServer server = new StompServer(settings);
             TcpClient tcp = new TcpClient(port);
             StompTestClient ws = StompTestClient.connected(server.ws)) {
            tcp.send("CONNECT", headers("accept-version", "1.2", "host", "/"), "");
            assertThat(tcp.next("CONNECTED").header("version")).isEqualTo("1.2");
            tcp.send("SUBSCRIBE", headers("id", "t", "destination", "/topic/tcp.a", "receipt", "r"), "");
            tcp.next("RECEIPT");
            ws.subscribe("w", "/topic/tcp.a");

            ws.send("SEND", headers("destination", "/topic/tcp.a"), "from websocket");
            assertThat(tcp.next("MESSAGE").text()).isEqualTo("from websocket");
            assertThat(ws.next("MESSAGE").text()).isEqualTo("from websocket");

            tcp.send("SEND", headers("destination", "/topic/tcp.a", "x-app", "1"), "from tcp");
            StompFrame overWs = ws.next("MESSAGE");
            assertThat(overWs.text()).isEqualTo("from tcp");
            assertThat(overWs.header("x-app")).isEqualTo("1");
            assertThat(tcp.next("MESSAGE").text()).isEqualTo("from tcp");

            server.herald.publish(ChannelName.of("/tcp/a"), "{\"n\":1}");
            assertThat(tcp.next("MESSAGE").header("content-type")).isEqualTo("application/json");

            tcp.send("FROB", headers(), "");
            assertThat(tcp.next("ERROR").header("message")).isEqualTo("unknown command 'FROB'");
            tcp.next("CLOSED");
        }
    }
}
