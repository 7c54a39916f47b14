package io.herald.bench.load.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client end of one WebSocket as lean as a client can be, so that tens of thousands fit in the load generator:
 * a blocking socket with 4 KiB buffers that upgrades, sends masked text frames (as RFC 6455 requires of clients)
 * and reads whole text messages. The idle-connection clients of {@link IdleSuite} speak their protocol over it.
 * Not thread-safe.
 */
public final class IdleWebSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private IdleWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and upgrades, offering {@code subprotocol} when not {@code null}.
     *
     * @throws IOException if the server refuses the upgrade, with its status line
     */
    public static IdleWebSocket open(String host, int port, String path, String subprotocol, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.setSendBufferSize(4096);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        IdleWebSocket ws = new IdleWebSocket(socket);
        try {
            ws.upgrade(host, port, path, subprotocol);
            return ws;
        } catch (IOException | RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    private void upgrade(String host, int port, String path, String subprotocol) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                + (subprotocol != null ? "Sec-WebSocket-Protocol: " + subprotocol + "\r\n" : "") + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed during the upgrade: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response.lines().findFirst().orElse(response));
        }
    }

    /** Sends {@code text} as one masked text frame. */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 8);
        frame.write(0x81); // FIN, text
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * Reads one whole text message (its frames up to the final one), blocking up to the socket's timeout.
     *
     * @throws IOException if the server closes the WebSocket or the connection
     */
    public String readText() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = read();
            int second = read();
            long length = second & 0x7f;
            if (length == 126) {
                length = (read() << 8) | read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | read();
                }
            }
            int opcode = first & 0x0f;
            ByteArrayOutputStream payload = opcode == 0x8 ? new ByteArrayOutputStream() : message;
            for (long i = 0; i < length; i++) {
                payload.write(read());
            }
            if (opcode == 0x8) {
                throw new IOException("the server closed the WebSocket: " + payload.toString(StandardCharsets.UTF_8));
            }
            if ((first & 0x80) != 0 && opcode != 0x9 && opcode != 0xA) {
                return message.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Whether bytes wait to be read, without blocking. */
    public boolean readable() throws IOException {
        return in.available() > 0;
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("the server closed the connection");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
