package io.herald.bench.load.stomp;

import io.herald.bench.load.ws.IdleWebSocket;
import java.io.IOException;

/**
 * One idle STOMP-over-WebSocket connection for {@code stomp-idle}: upgrades ({@code v12.stomp}), CONNECTs
 * without heart-beats, SUBSCRIBEs with a receipt, waits for it, and then only stays open. Not thread-safe.
 */
public final class IdleStompSocket implements AutoCloseable {

    private final IdleWebSocket ws;

    private IdleStompSocket(IdleWebSocket ws) {
        this.ws = ws;
    }

    /**
     * Opens, connects and subscribes; returns once the subscription's RECEIPT arrived.
     *
     * @param login sent as {@code login}/{@code passcode} when not {@code null} (RabbitMQ's guest)
     * @throws IOException if the server refuses any step, with what it answered
     */
    public static IdleStompSocket open(String host, int port, String path, String destination, String login, int timeoutMillis)
            throws IOException {
        IdleStompSocket s = new IdleStompSocket(IdleWebSocket.open(host, port, path, "v12.stomp", timeoutMillis));
        try {
            String connect = "CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n"
                    + (login != null ? "login:" + login + "\npasscode:" + login + "\n" : "") + "\n\0";
            s.ws.sendText(connect);
            s.expect("CONNECTED");
            s.ws.sendText("SUBSCRIBE\nid:0\ndestination:" + destination + "\nack:auto\nreceipt:s\n\n\0");
            s.expect("RECEIPT");
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Reads WebSocket messages until a whole STOMP frame arrived (heart-beat EOLs skipped), and requires its command. */
    private void expect(String command) throws IOException {
        StringBuilder stomp = new StringBuilder();
        while (true) {
            stomp.append(ws.readText());
            String text = stomp.toString().stripLeading();
            int nul = text.indexOf('\0');
            if (nul >= 0) {
                if (!text.startsWith(command + "\n")) {
                    throw new IOException("expected " + command + ", got " + text.substring(0, nul).replace('\n', '|'));
                }
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        ws.close();
    }
}
