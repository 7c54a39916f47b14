package io.herald.bench.load.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.bench.load.LoadPayload;
import io.herald.bench.load.ServerProbe;
import io.herald.bench.load.ws.WebSocketFanoutScenario;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * {@code bayeux-fanout}: N Bayeux clients over WebSocket subscribed to one channel, and a publisher client
 * on its own WebSocket publishing at the run's fixed rate. With {@code rooms} > 1 it is the chat shape of
 * CometD's own benchmark instead ({@code bayeux-chat}): client {@code i} is a member of room {@code i % rooms}
 * (channel {@code <channel>/<room>}), subscribed to that room only, and at each tick the publisher sends
 * message {@code seq} into every room, one publish each, so every member expects every message of its room
 * once and in order (checked per member as in the fan-out) and a delivery from another room is an error; the
 * run's rate is then per room, and the server handles {@code rooms} publishes of ~N/rooms deliveries each per
 * tick instead of one of N. Plain Bayeux 1.0 as every server speaks it:
 * {@code /meta/handshake} (websocket only), {@code /meta/connect} held by the server and sent again as soon
 * as its reply comes, {@code /meta/subscribe}; deliveries are taken wherever they come (without acks both
 * servers push them on the socket between connects, Herald unless {@code --bayeux-websocket-push false}; with
 * acks they ride the connect replies). With {@code ack} the handshake asks for the
 * acknowledgement extension ({@code ext.ack: true}) and every connect acknowledges the last batch received,
 * as CometD's {@code AckExtension} does. An unsuccessful meta reply, or a connection closed during the
 * run, counts as an error. Not thread-safe (one run).
 */
public final class BayeuxFanoutScenario extends WebSocketFanoutScenario {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String channel;
    private final int rooms;
    private final boolean ack;
    private final int pad;
    private Session publisher;
    private Client publisherEndpoint;
    private String publisherId;

    /**
     * @param server {@code herald} or {@code cometd}, for the scenario's name
     * @param uri the Bayeux WebSocket endpoint ({@code ws://host:port/bayeux}, {@code ws://host:port/cometd})
     * @param measureFrom the first measured sequence number, where CPU readings start
     */
    public BayeuxFanoutScenario(String server, URI uri, String channel, int subscribers, boolean ack, int pad,
                                ServerProbe probe, long measureFrom, int maxPending) {
        this(server, uri, channel, 1, subscribers, ack, pad, probe, measureFrom, maxPending);
    }

    /**
     * @param rooms 1 for the fan-out on {@code channel}; more for the chat shape, rooms {@code <channel>/0 ..
     *     <channel>/<rooms - 1>}, at most one per subscriber
     */
    public BayeuxFanoutScenario(String server, URI uri, String channel, int rooms, int subscribers, boolean ack, int pad,
                                ServerProbe probe, long measureFrom, int maxPending) {
        super("bayeux-" + (rooms > 1 ? "chat-" : "") + server + (ack ? "-ack" : ""), uri, subscribers, probe, measureFrom, maxPending);
        if (rooms < 1 || rooms > subscribers) {
            throw new IllegalArgumentException("rooms must be between 1 and the " + subscribers + " subscribers; got " + rooms);
        }
        this.channel = channel;
        this.rooms = rooms;
        this.ack = ack;
        this.pad = pad;
    }

    /** The channel of room {@code room} (the one channel of the fan-out). */
    private String room(int room) {
        return rooms == 1 ? channel : channel + "/" + room;
    }

    private String handshake() {
        return "[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"minimumVersion\":\"1.0\","
                + "\"supportedConnectionTypes\":[\"websocket\"]" + (ack ? ",\"ext\":{\"ack\":true}" : "") + "}]";
    }

    private static String connect(String clientId, long id, boolean immediate, long batch) {
        return "[{\"id\":\"" + id + "\",\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"websocket\"" + (immediate ? ",\"advice\":{\"timeout\":0}" : "")
                + (batch >= 0 ? ",\"ext\":{\"ack\":" + batch + "}" : "") + "}]";
    }

    @Override
    protected Object subscriber(int index) {
        return new Client(index, true);
    }

    @Override
    protected void openPublisher() throws Exception {
        Client endpoint = new Client(-1, false);
        publisherEndpoint = endpoint;
        publisher = client().connect(endpoint, uri(), upgradeRequest()).get(30, TimeUnit.SECONDS);
        endpoint.ready().get(30, TimeUnit.SECONDS);
        publisherId = endpoint.clientId;
    }

    @Override
    protected void publish(long seq) {
        String data = LoadPayload.data(seq, pad);
        for (int r = 0; r < rooms; r++) {
            String message = "[{\"channel\":\"" + room(r) + "\",\"clientId\":\"" + publisherId + "\",\"data\":" + data + "}]";
            publisher.sendText(message, Callback.from(() -> { }, e -> failed(seq, "publish failed: " + e)));
        }
    }

    @Override
    protected void closePublisher() throws Exception {
        if (publisher != null) {
            leave(List.of(publisherEndpoint));
            publisher.close();
        }
    }

    /**
     * Every client sends {@code /meta/disconnect} and waits for its reply (10 s at most) before its WebSocket
     * closes, as a Bayeux client that is done does: a client that just drops keeps its session on the server
     * for the max interval, still subscribed, and the next run (a sweep's next step, on the same rooms) would
     * measure the server queueing for a thousand departed clients and then letting them go, mid-window.
     */
    @Override
    protected void leave(List<Subscriber> subscribers) throws Exception {
        List<CompletableFuture<Void>> left = new ArrayList<>();
        for (Subscriber subscriber : subscribers) {
            left.add(((Client) subscriber).disconnect());
        }
        try {
            CompletableFuture.allOf(left.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // Those that did not leave in time close anyway; their sessions end at the server's max interval.
        }
    }

    /**
     * A Bayeux client on one WebSocket. A subscriber handshakes, connects once at once (timeout 0), then
     * subscribes; both keep a connect held (the publisher does not subscribe).
     */
    public final class Client implements Session.Listener.AutoDemanding, WebSocketFanoutScenario.Subscriber {
        private final int index;
        private final boolean subscribe;
        private final String channel;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private final AtomicLong ids = new AtomicLong(1);
        private Session session;
        private volatile String clientId;
        private boolean acking;
        private long batch = -1;
        private boolean connectedOnce;
        private final CompletableFuture<Void> left = new CompletableFuture<>();
        /** Set once the client sends its disconnect: no further connect, and the replies to the last ones are expected. */
        private volatile boolean leaving;
        /** The cheap read of most frames (only the client's thread uses it); null for the publisher. */
        private final BayeuxFrameScan scan;

        Client(int index, boolean subscribe) {
            this.index = index;
            this.subscribe = subscribe;
            this.channel = subscribe ? room(index % rooms) : null;
            this.scan = subscribe ? new BayeuxFrameScan(channel) : null;
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.sendText(handshake(), Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String text) {
            // The first connect reply subscribes: the tree path takes it.
            if (subscribe && scan.read(text) && (connectedOnce || !scan.connectReply())) {
                for (int i = 0; i < scan.deliveries(); i++) {
                    delivered(index, scan.seq(i));
                }
                if (scan.connectReply() && !leaving) {
                    if (acking && scan.ackBatch() >= 0) {
                        batch = scan.ackBatch();
                    }
                    send(connect(clientId, ids.incrementAndGet(), false, acking ? batch : -1));
                }
                return;
            }
            JsonNode messages;
            try {
                messages = JSON.readTree(text);
            } catch (IOException e) {
                fail("malformed JSON from the server: " + e.getMessage());
                return;
            }
            // One array per frame; the messages in one frame are handled in order, the connect sent last.
            boolean reconnect = false;
            for (JsonNode m : messages) {
                String ch = m.path("channel").asText();
                switch (ch) {
                    case "/meta/handshake" -> {
                        if (!m.path("successful").asBoolean()) {
                            fail("handshake refused: " + m);
                            return;
                        }
                        clientId = m.path("clientId").asText();
                        JsonNode ackExt = m.path("ext").path("ack");
                        acking = ack && (ackExt.asBoolean() || ackExt.path("enabled").asBoolean());
                        if (acking && ackExt.has("batch")) {
                            batch = ackExt.path("batch").asLong();
                        } else if (acking) {
                            batch = 0;
                        }
                        if (ack && !acking) {
                            fail("the server did not accept the acknowledgement extension: " + m);
                            return;
                        }
                        send(connect(clientId, ids.incrementAndGet(), true, acking ? batch : -1));
                    }
                    case "/meta/disconnect" -> left.complete(null);
                    case "/meta/connect" -> {
                        if (leaving) {
                            continue;
                        }
                        if (!m.path("successful").asBoolean()) {
                            fail("connect refused: " + m);
                            return;
                        }
                        if (acking && m.path("ext").path("ack").isNumber()) {
                            batch = m.path("ext").path("ack").asLong();
                        }
                        if (!connectedOnce) {
                            connectedOnce = true;
                            if (subscribe) {
                                send("[{\"id\":\"" + ids.incrementAndGet() + "\",\"channel\":\"/meta/subscribe\",\"clientId\":\""
                                        + clientId + "\",\"subscription\":\"" + channel + "\"}]");
                            } else {
                                ready.complete(null);
                            }
                        }
                        // The publisher keeps a connect held too, or the server lets its session go after its max interval.
                        reconnect = true;
                    }
                    case "/meta/subscribe" -> {
                        if (!m.path("successful").asBoolean()) {
                            fail("subscribe refused: " + m);
                            return;
                        }
                        ready.complete(null);
                    }
                    default -> {
                        if (ch.equals(channel) && m.has("data")) {
                            delivered(index, LoadPayload.seqOf(m.path("data").toString()));
                        } else if (m.has("data")) {
                            fail("got a message of " + ch + ", subscribed to " + channel + " only: " + m);
                        } else if (m.has("successful") && !m.path("successful").asBoolean()) {
                            fail("refused: " + m);
                        }
                    }
                }
            }
            if (reconnect) {
                send(connect(clientId, ids.incrementAndGet(), false, acking ? batch : -1));
            }
        }

        /** Sends {@code /meta/disconnect}; completes on its reply (at once for a client that never handshook). */
        CompletableFuture<Void> disconnect() {
            leaving = true;
            if (clientId == null || session == null || !session.isOpen()) {
                left.complete(null);
            } else {
                session.sendText("[{\"id\":\"" + ids.incrementAndGet() + "\",\"channel\":\"/meta/disconnect\",\"clientId\":\""
                        + clientId + "\"}]", Callback.from(() -> { }, e -> left.complete(null)));
            }
            return left;
        }

        private void send(String text) {
            session.sendText(text, Callback.from(() -> { }, e -> fail("send failed: " + e)));
        }

        private void fail(String reason) {
            String who = index < 0 ? "publisher" : "subscriber " + index;
            if (!ready.completeExceptionally(new IllegalStateException(who + ": " + reason))) {
                failed(-1, who + ": " + reason);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            ready.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            if (index >= 0) {
                ended(index, "closed " + statusCode + " " + reason);
            }
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            ready.completeExceptionally(cause);
            if (index >= 0) {
                ended(index, cause.toString());
            }
        }
    }
}
