package io.herald.bench.load.stomp;

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
 * One idle STOMP-over-WebSocket connection, as lean as a client can be so that thousands fit in the load
 * generator: a blocking socket that upgrades ({@code v12.stomp}), CONNECTs without heart-beats, SUBSCRIBEs
 * with a receipt, waits for it, and then only stays open. Frames to the server are masked, as RFC 6455
 * requires of clients. Not thread-safe.
 */
final class IdleStompSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private IdleStompSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Opens, connects and subscribes; returns once the subscription's RECEIPT arrived.
     *
     * @param login sent as {@code login}/{@code passcode} when not {@code null} (RabbitMQ's guest)
     * @throws IOException if the server refuses any step, with what it answered
     */
    static IdleStompSocket open(String host, int port, String path, String destination, String login, int timeoutMillis)
            throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.setSendBufferSize(4096);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        IdleStompSocket s = new IdleStompSocket(socket);
        try {
            s.upgrade(host, port, path);
            String connect = "CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n"
                    + (login != null ? "login:" + login + "\npasscode:" + login + "\n" : "") + "\n\0";
            s.sendText(connect);
            s.expect("CONNECTED");
            s.sendText("SUBSCRIBE\nid:0\ndestination:" + destination + "\nack:auto\nreceipt:s\n\n\0");
            s.expect("RECEIPT");
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void upgrade(String host, int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: v12.stomp\r\n\r\n";
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

    private void sendText(String text) throws IOException {
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

    /** Reads WebSocket frames until a whole STOMP frame arrived, and requires its command. */
    private void expect(String command) throws IOException {
        ByteArrayOutputStream stomp = new ByteArrayOutputStream();
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
            for (long i = 0; i < length; i++) {
                stomp.write(read());
            }
            if (opcode == 0x8) {
                throw new IOException("the server closed the WebSocket waiting for " + command);
            }
            String text = stomp.toString(StandardCharsets.UTF_8).stripLeading();
            int nul = text.indexOf('\0');
            if (nul >= 0) {
                if (!text.startsWith(command + "\n")) {
                    throw new IOException("expected " + command + ", got " + text.substring(0, nul).replace('\n', '|'));
                }
                return;
            }
        }
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
