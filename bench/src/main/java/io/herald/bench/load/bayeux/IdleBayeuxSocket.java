package io.herald.bench.load.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.bench.load.ws.IdleWebSocket;
import java.io.IOException;

/**
 * One idle Bayeux client over WebSocket for {@code bayeux-idle}, as a CometD or Faye client that subscribed and
 * waits: handshakes ({@code websocket} only), subscribes to one channel, sends its first connect (answered at
 * once) and a second one, which the server holds. From then on {@link #keepAlive()} answers each connect reply
 * (the server's timeout) with the next connect, as a real client does, so the server does not expire it. Not
 * thread-safe.
 */
public final class IdleBayeuxSocket implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IdleWebSocket ws;
    private String clientId;
    private long nextId = 1;

    private IdleBayeuxSocket(IdleWebSocket ws) {
        this.ws = ws;
    }

    /**
     * Opens, handshakes, subscribes to {@code channel} and leaves a connect held.
     *
     * @throws IOException if the server refuses any step, with what it answered
     */
    public static IdleBayeuxSocket open(String host, int port, String path, String channel, int timeoutMillis) throws IOException {
        IdleBayeuxSocket s = new IdleBayeuxSocket(IdleWebSocket.open(host, port, path, null, timeoutMillis));
        try {
            JsonNode handshake = s.request("{\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                    + "\"supportedConnectionTypes\":[\"websocket\"]", "/meta/handshake");
            s.clientId = handshake.get("clientId").asText();
            s.request("{\"channel\":\"/meta/subscribe\",\"subscription\":\"" + channel + "\"", "/meta/subscribe");
            s.request(s.connectMessage(), "/meta/connect");
            s.ws.sendText("[" + s.connectMessage() + "}]");
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private String connectMessage() {
        return "{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId + "\",\"connectionType\":\"websocket\"";
    }

    /** Sends {@code open} (a message missing its id and closing brace) and returns the successful reply on {@code channel}. */
    private JsonNode request(String open, String channel) throws IOException {
        String id = Long.toString(nextId++);
        ws.sendText("[" + open + (clientId != null && !open.contains("clientId") ? ",\"clientId\":\"" + clientId + "\"" : "")
                + ",\"id\":\"" + id + "\"}]");
        while (true) {
            String text = ws.readText();
            for (JsonNode message : JSON.readTree(text)) {
                if (channel.equals(message.path("channel").asText()) && id.equals(message.path("id").asText())) {
                    if (!message.path("successful").asBoolean()) {
                        throw new IOException(channel + " refused: " + message);
                    }
                    return message;
                }
            }
        }
    }

    /**
     * Reads what the server sent, without blocking when it sent nothing, and answers a connect reply with the next
     * connect.
     */
    public void keepAlive() throws IOException {
        while (ws.readable()) {
            if (ws.readText().contains("\"/meta/connect\"")) {
                ws.sendText("[" + connectMessage() + "}]");
            }
        }
    }

    @Override
    public void close() throws IOException {
        ws.close();
    }
}
