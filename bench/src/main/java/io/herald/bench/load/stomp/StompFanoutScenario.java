package io.herald.bench.load.stomp;

import io.herald.bench.load.LoadPayload;
import io.herald.bench.load.ServerProbe;
import io.herald.bench.load.ws.WebSocketFanoutScenario;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;

/**
 * {@code stomp-fanout}: N STOMP-over-WebSocket subscribers on one topic and a publisher on its own
 * connection SENDing at the run's fixed rate. The client code is the same for Herald ({@code /stomp}) and
 * RabbitMQ Web-STOMP ({@code /ws}): STOMP 1.2, no heart-beats, {@code /topic/<key>} destinations (Herald's
 * channel {@code /<key with dots as slashes>}, RabbitMQ's {@code amq.topic} exchange). With
 * {@code ack=client-individual} every subscriber ACKs each MESSAGE as it reads it.
 * A MESSAGE for a message sent before the run, an ERROR frame or a connection closed during the run count
 * as errors. Not thread-safe (one run).
 */
public final class StompFanoutScenario extends WebSocketFanoutScenario {

    /**
     * Where and how to log in: {@code login}/{@code passcode} ({@code null} to send none) and the
     * {@code host} header (RabbitMQ's virtual host).
     */
    public record Target(String name, URI uri, String login, String passcode, String host, String destination) {

        /** Herald's {@code /stomp} endpoint, anonymous. */
        public static Target herald(String host, int port, String destination) {
            return new Target("herald", URI.create("ws://" + host + ":" + port + "/stomp"), null, null, "/", destination);
        }

        /** RabbitMQ's Web-STOMP endpoint ({@code /ws}), guest/guest on the virtual host {@code /}. */
        public static Target rabbitmq(String host, int port, String destination) {
            return new Target("rabbitmq", URI.create("ws://" + host + ":" + port + "/ws"), "guest", "guest", "/", destination);
        }
    }

    private final Target target;
    private final String ack;
    private final int pad;
    private Session publisher;

    /**
     * @param ack {@code auto} or {@code client-individual}
     * @param measureFrom the first measured sequence number, where CPU readings start
     */
    public StompFanoutScenario(Target target, int subscribers, String ack, int pad, ServerProbe probe, long measureFrom,
                               int maxPending) {
        super("stomp-" + target.name() + (ack.equals("auto") ? "" : "-ack"), target.uri(), subscribers, probe, measureFrom,
                maxPending);
        if (!ack.equals("auto") && !ack.equals("client-individual")) {
            throw new IllegalArgumentException("ack must be auto or client-individual, got '" + ack + "'");
        }
        this.target = target;
        this.ack = ack;
        this.pad = pad;
    }

    @Override
    protected ClientUpgradeRequest upgradeRequest() {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols("v12.stomp", "v11.stomp", "v10.stomp");
        return request;
    }

    private String connectFrame() {
        StringBuilder b = new StringBuilder("CONNECT\naccept-version:1.2\nheart-beat:0,0\nhost:").append(target.host()).append('\n');
        if (target.login() != null) {
            b.append("login:").append(target.login()).append("\npasscode:").append(target.passcode()).append('\n');
        }
        return b.append('\n').append('\0').toString();
    }

    @Override
    protected Object subscriber(int index) {
        return new SubscriberEndpoint(index);
    }

    @Override
    protected void openPublisher() throws Exception {
        PublisherEndpoint endpoint = new PublisherEndpoint();
        publisher = client().connect(endpoint, uri(), upgradeRequest()).get(30, TimeUnit.SECONDS);
        endpoint.connected.get(30, TimeUnit.SECONDS);
    }

    @Override
    protected void publish(long seq) {
        String frame = "SEND\ndestination:" + target.destination() + "\ncontent-type:application/json\n\n"
                + LoadPayload.data(seq, pad) + "\0";
        publisher.sendText(frame, Callback.from(() -> { }, e -> failed(seq, "SEND failed: " + e)));
    }

    @Override
    protected void closePublisher() {
        if (publisher != null) {
            publisher.close();
        }
    }

    /** One parsed frame: its command, the value of one header of interest, and its body. */
    record Frame(String command, String headers, String body) {

        /** The value of header {@code name}, or {@code null}. */
        String header(String name) {
            String key = "\n" + name + ":";
            int at = ("\n" + headers).indexOf(key);
            if (at < 0) {
                return null;
            }
            int start = at + key.length() - 1;
            int end = headers.indexOf('\n', start);
            return headers.substring(start, end < 0 ? headers.length() : end);
        }
    }

    /** For tests: each frame of {@code message} as {@code command|ack header|body}. */
    public static void parseForTest(String message, java.util.function.Consumer<String> each) {
        parse(message, f -> each.accept(f.command() + "|" + f.header("ack") + "|" + f.body()));
    }

    /** Calls {@code each} for every frame in one WebSocket message (heart-beat EOLs are skipped). */
    static void parse(String message, java.util.function.Consumer<Frame> each) {
        int i = 0;
        while (i < message.length()) {
            char c = message.charAt(i);
            if (c == '\n' || c == '\r') {
                i++;
                continue;
            }
            int end = message.indexOf('\0', i);
            if (end < 0) {
                end = message.length();
            }
            int eol = message.indexOf('\n', i);
            int blank = message.indexOf("\n\n", i);
            if (eol < 0 || eol > end) {
                each.accept(new Frame(message.substring(i, end).trim(), "", ""));
            } else {
                String command = message.substring(i, eol).trim();
                int headersEnd = blank < 0 || blank > end ? end : blank;
                String headers = message.substring(eol + 1, headersEnd).replace("\r", "");
                String body = headersEnd + 2 <= end ? message.substring(headersEnd + 2, end) : "";
                each.accept(new Frame(command, headers, body));
            }
            i = end + 1;
        }
    }

    public final class SubscriberEndpoint implements Session.Listener.AutoDemanding, WebSocketFanoutScenario.Subscriber {
        private final int index;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private Session session;

        SubscriberEndpoint(int index) {
            this.index = index;
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.sendText(connectFrame(), Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            parse(message, this::onFrame);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            parse(StandardCharsets.UTF_8.decode(payload).toString(), this::onFrame);
            callback.succeed();
        }

        private void onFrame(Frame frame) {
            switch (frame.command()) {
                case "MESSAGE" -> {
                    delivered(index, LoadPayload.seqOf(frame.body()));
                    if (!ack.equals("auto")) {
                        session.sendText("ACK\nid:" + frame.header("ack") + "\n\n\0", Callback.NOOP);
                    }
                }
                case "CONNECTED" -> session.sendText("SUBSCRIBE\nid:0\ndestination:" + target.destination() + "\nack:" + ack
                        + (ack.equals("auto") ? "" : "\nprefetch-count:1000") + "\nreceipt:sub-" + index + "\n\n\0", Callback.NOOP);
                case "RECEIPT" -> ready.complete(null);
                case "ERROR" -> {
                    String reason = "ERROR " + frame.header("message") + ": " + frame.body();
                    if (!ready.completeExceptionally(new IllegalStateException(reason))) {
                        failed(-1, "subscriber " + index + ": " + reason);
                    }
                }
                default -> failed(-1, "subscriber " + index + " got an unexpected " + frame.command());
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            ready.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            ended(index, "closed " + statusCode + " " + reason);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            ready.completeExceptionally(cause);
            ended(index, cause.toString());
        }
    }

    public final class PublisherEndpoint implements Session.Listener.AutoDemanding {
        final CompletableFuture<Void> connected = new CompletableFuture<>();

        @Override
        public void onWebSocketOpen(Session session) {
            session.sendText(connectFrame(), Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            parse(message, frame -> {
                if (frame.command().equals("CONNECTED")) {
                    connected.complete(null);
                } else if (frame.command().equals("ERROR")) {
                    connected.completeExceptionally(new IllegalStateException("publisher: ERROR " + frame.header("message")));
                    failed(-1, "publisher: ERROR " + frame.header("message") + ": " + frame.body());
                }
            });
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            connected.completeExceptionally(new IllegalStateException("publisher closed " + statusCode + " " + reason));
            callback.succeed();
        }
    }
}
