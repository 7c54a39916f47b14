package io.herald.stomp;

import io.herald.api.AuthenticationException;
import io.herald.api.Credentials;
import io.herald.api.Gap;
import io.herald.api.HeraldException;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.AckMode;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import io.herald.core.Resume;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One STOMP connection, over WebSocket or TCP: the STOMP codec over core {@link Connection}s, which own the
 * subscriptions, cursors, ack windows, gaps, redelivery, the bounded outbox and timers. It reads frames
 * (on the link's reading thread, one at a time) and turns them into calls on the session layer; its
 * {@link StompOutbound} writes what the core connections drain.
 *
 * <p>Plain subscriptions live in the connection's own ephemeral session; each durable subscription in a
 * durable session of its own ({@link DurableSubscriptions}), so it outlives this connection. A frame that
 * breaks the protocol or is refused gets an ERROR with a clear {@code message}, then the link closes; the
 * frame changed nothing (a refused SUBSCRIBE subscribed nothing, a refused SEND published nothing).
 *
 * <p>Thread-safe: one reader, one writer, engine threads and timers.
 */
final class StompConnection {

    private static final Logger LOG = LoggerFactory.getLogger(StompConnection.class);
    private static final int MAX_TRANSACTIONS = 100;
    private static final int MAX_TRANSACTION_FRAMES = 10_000;

    final StompTransport transport;
    private final StompSocket socket;
    private final StompOutbound outbound;
    private final StompFrameDecoder decoder;
    private final StompSubscriptions subscriptions;
    private final Map<String, List<StompFrame>> transactions = new ConcurrentHashMap<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile StompVersion version = StompVersion.V1_0;
    private volatile Principal principal;
    private volatile Connection live;
    private volatile boolean closing;
    private volatile long lastRead = System.nanoTime();

    StompConnection(StompTransport transport, StompSocket socket) {
        this.transport = transport;
        this.socket = socket;
        this.outbound = new StompOutbound(this, socket);
        this.decoder = new StompFrameDecoder(transport.settings.limits());
        this.subscriptions = new StompSubscriptions(this);
        transport.connections.add(this);
        transport.opened.incrementAndGet();
    }

    StompVersion version() {
        return version;
    }

    Principal principal() {
        return principal;
    }

    Connection live() {
        return live;
    }

    StompOutbound outbound() {
        return outbound;
    }

    /** Bytes from the link, in order. */
    void onBytes(ByteBuffer bytes) {
        lastRead = System.nanoTime();
        if (closing) {
            return;
        }
        try {
            decoder.decode(bytes, this::onFrame);
        } catch (StompProtocolException e) {
            fail(e.getMessage(), e.detail(), null);
        }
    }

    private void onFrame(StompFrame frame) {
        if (closing) {
            return;
        }
        try {
            handle(frame);
        } catch (StompProtocolException e) {
            fail(e.getMessage(), e.detail(), frame);
        } catch (HeraldException e) {
            fail(e.getMessage(), null, frame);
        } catch (RuntimeException e) {
            LOG.warn("STOMP {} frame failed on {}", frame.command(), this, e);
            fail("internal error handling " + frame.command(), e.toString(), frame);
        }
    }

    private void handle(StompFrame frame) {
        String command = frame.command();
        if (live == null) {
            if (!command.equals("CONNECT") && !command.equals("STOMP")) {
                throw new StompProtocolException("You must log in using CONNECT first");
            }
            connect(frame);
            return;
        }
        switch (command) {
            case "CONNECT", "STOMP" -> throw new StompProtocolException("already connected");
            case "SUBSCRIBE" -> subscriptions.subscribe(frame);
            case "UNSUBSCRIBE" -> subscriptions.unsubscribe(frame);
            case "SEND" -> inTransaction(frame, () -> send(frame));
            case "ACK", "NACK" -> inTransaction(frame, () -> subscriptions.acknowledge(frame));
            case "BEGIN" -> begin(frame);
            case "COMMIT" -> commit(frame);
            case "ABORT" -> transactions.remove(requireTransaction(frame));
            case "DISCONNECT" -> {
                closing = true;
                String receipt = frame.header("receipt");
                if (receipt != null) {
                    outbound.control(StompFrame.of("RECEIPT", Map.of("receipt-id", receipt)), true);
                } else {
                    outbound.endAfterControls();
                }
                return;
            }
            default -> throw new StompProtocolException("a client may not send " + command + " frames");
        }
        String receipt = frame.header("receipt");
        if (receipt != null) {
            outbound.control(StompFrame.of("RECEIPT", Map.of("receipt-id", receipt)), false);
        }
    }

    private void connect(StompFrame frame) {
        StompVersion negotiated = StompVersion.negotiate(frame.header("accept-version"));
        if (negotiated == null) {
            throw new StompProtocolException("Supported protocol versions are " + StompVersion.SUPPORTED,
                    "accept-version '" + frame.header("accept-version") + "' names no version this server speaks");
        }
        long[] clientBeats = heartBeat(frame.header("heart-beat"));
        String token = frame.header("passcode") != null ? frame.header("passcode") : socket.token();
        Principal who;
        try {
            who = transport.authenticator.authenticate(new Credentials(token, socket.remoteAddress()));
        } catch (AuthenticationException e) {
            throw new StompProtocolException("authentication failed", e.getMessage());
        }
        long offered = transport.settings.heartbeat().toMillis();
        long sx = clientBeats[1] > 0 ? offered : 0;
        long sy = clientBeats[0] > 0 ? offered : 0;
        principal = who;
        version = negotiated;
        decoder.version(negotiated);
        Connection connection = transport.sessions.connect(transport.sessions.ephemeral(who), outbound, false);
        live = connection;
        subscriptions.addSource(connection, null);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("version", negotiated.text());
        headers.put("heart-beat", sx + "," + sy);
        headers.put("server", "Herald");
        headers.put("session", connection.session().id());
        outbound.control(StompFrame.of("CONNECTED", headers), false);
        if (sx > 0) {
            connection.heartbeats(Duration.ofMillis(Math.max(sx, clientBeats[1])));
        }
        if (sy > 0) {
            watchReads(connection, Duration.ofMillis(Math.max(sy, clientBeats[0])));
        }
    }

    /** Closes the link when the client sends nothing for twice its heart-beat interval (stompjs' own rule). */
    private void watchReads(Connection connection, Duration every) {
        connection.schedule(() -> {
            if (System.nanoTime() - lastRead > 2 * every.toNanos()) {
                LOG.debug("STOMP client {} silent for 2 x {}: closing", socket.remoteAddress(), every);
                shutdown();
            } else {
                watchReads(connection, every);
            }
        }, every);
    }

    private static long[] heartBeat(String header) {
        if (header == null) {
            return new long[] {0, 0};
        }
        String[] parts = header.split(",");
        try {
            if (parts.length == 2) {
                long cx = Long.parseLong(parts[0].trim());
                long cy = Long.parseLong(parts[1].trim());
                if (cx >= 0 && cy >= 0) {
                    return new long[] {cx, cy};
                }
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new StompProtocolException("bad heart-beat header '" + header + "': expected two numbers like 10000,10000");
    }

    private void send(StompFrame frame) {
        Publication publication = transport.publications.of(frame);
        StompDestination destination = StompDestination.parse(frame.header("destination"));
        if (destination.kind() == StompDestination.Kind.QUEUE) {
            transport.publications.check(principal, publication);
            transport.queue(destination).declare();
        }
        transport.engine.publish(principal, publication);
    }

    /** Runs {@code action} now, or keeps the frame for the COMMIT of its transaction after checking it. */
    private void inTransaction(StompFrame frame, Runnable action) {
        String tx = frame.header("transaction");
        if (tx == null) {
            action.run();
            return;
        }
        List<StompFrame> frames = transactions.get(tx);
        if (frames == null) {
            throw new StompProtocolException("unknown transaction '" + tx + "'");
        }
        if (frame.command().equals("SEND")) {
            transport.publications.check(principal, transport.publications.of(frame));
        } else {
            subscriptions.checkAck(frame);
        }
        if (frames.size() >= MAX_TRANSACTION_FRAMES) {
            throw new StompProtocolException("transaction '" + tx + "' holds more than " + MAX_TRANSACTION_FRAMES + " frames");
        }
        Map<String, String> headers = new LinkedHashMap<>(frame.headers());
        headers.remove("transaction");
        headers.remove("receipt");
        frames.add(new StompFrame(frame.command(), headers, frame.body()));
    }

    private void begin(StompFrame frame) {
        String tx = frame.header("transaction");
        if (tx == null) {
            throw new StompProtocolException("BEGIN needs a transaction header");
        }
        if (transactions.size() >= MAX_TRANSACTIONS) {
            throw new StompProtocolException("more than " + MAX_TRANSACTIONS + " open transactions");
        }
        if (transactions.putIfAbsent(tx, new ArrayList<>()) != null) {
            throw new StompProtocolException("transaction '" + tx + "' is already open");
        }
    }

    private void commit(StompFrame frame) {
        List<StompFrame> frames = transactions.remove(requireTransaction(frame));
        for (StompFrame f : frames) {
            if (f.command().equals("SEND")) {
                send(f);
            } else {
                subscriptions.acknowledge(f);
            }
        }
    }

    private String requireTransaction(StompFrame frame) {
        String tx = frame.header("transaction");
        if (tx == null || !transactions.containsKey(tx)) {
            throw new StompProtocolException(frame.command() + " of unknown transaction '" + tx + "'");
        }
        return tx;
    }

    /** Drains one item of any core connection into the outbound's next write; false when all are idle. */
    boolean drainOne(StompOutbound out) {
        return subscriptions.drainOne(out);
    }

    /** An ERROR frame: {@code message} header, {@code receipt-id} of the refused frame, the detail as body. */
    static StompFrame error(String message, String detail, String receiptId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("message", message);
        if (receiptId != null) {
            headers.put("receipt-id", receiptId);
        }
        headers.put("content-type", "text/plain");
        String body = detail != null ? detail : message;
        return new StompFrame("ERROR", headers, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Answers ERROR, then closes; nothing after the refused frame is read. */
    private void fail(String message, String detail, StompFrame frame) {
        if (closing) {
            return;
        }
        closing = true;
        transport.errors.increment();
        LOG.debug("STOMP ERROR to {}: {}", socket.remoteAddress(), message);
        sealAll();
        StompFrame error = error(message, detail, frame == null ? null : frame.header("receipt"));
        if (message.startsWith("Supported protocol versions")) {
            Map<String, String> headers = new LinkedHashMap<>(error.headers());
            headers.put("version", StompVersion.SUPPORTED);
            error = new StompFrame("ERROR", headers, error.body());
        }
        outbound.control(error, true);
    }

    /** Stops every core connection taking messages; what is queued can still be written. */
    void sealAll() {
        subscriptions.sealAll();
    }

    /** This connection's subscriptions and their core state, for diagnostics. */
    String describe() {
        return this + " {" + subscriptions.describe() + "}";
    }

    /** A durable subscription of this connection was taken over by another connection. */
    void release(DurableSubscriptions.Key key) {
        subscriptions.release(key);
    }

    /** Ends the connection from the server side (stop, dead peer): closes the link. */
    void shutdown() {
        closing = true;
        outbound.end();
    }

    /** The link closed, or the writer ended: every core connection ends (durable sessions keep their state). */
    void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        transactions.clear();
        subscriptions.closeAll();
        transport.connections.remove(this);
    }

    /** The link is gone. */
    void onClosed() {
        finish();
        outbound.end();
    }

    /** Hands a drained message to the outbound, unless its subscription is gone. */
    static void route(StompOutbound out, StompSubscription subscription, ConnectionSubscription core, Message message,
                      boolean redelivered) {
        if (current(subscription, core)) {
            out.message(subscription, message, redelivered);
        }
    }

    /**
     * Whether {@code core} still feeds {@code subscription}: a durable subscription that starts over (a NACK
     * requeue) gets a new core subscription, and what its old one still had queued is dropped. A plain one
     * keeps its core subscriptions (two for a destination ending with {@code #}) for its whole life.
     */
    private static boolean current(StompSubscription subscription, ConnectionSubscription core) {
        return subscription != null && (!subscription.durable() || subscription.core == null || subscription.core == core);
    }

    static void routeGap(StompOutbound out, StompSubscription subscription, ConnectionSubscription core, Gap gap) {
        if (current(subscription, core)) {
            out.gap(subscription, gap);
        }
    }

    static Resume resumeFrom(String header) {
        if (header == null) {
            return Resume.live();
        }
        int colon = header.lastIndexOf(':');
        try {
            return Resume.after(new Position(header.substring(0, colon), Long.parseLong(header.substring(colon + 1))));
        } catch (RuntimeException e) {
            throw new StompProtocolException("bad herald-resume-from '" + header + "': expected <epoch>:<offset>");
        }
    }

    static AckMode ackMode(String header) {
        if (header == null || header.equals("auto")) {
            return AckMode.AUTO;
        }
        return switch (header) {
            case "client" -> AckMode.CUMULATIVE;
            case "client-individual" -> AckMode.INDIVIDUAL;
            default -> throw new StompProtocolException("bad ack mode '" + header + "': use auto, client or client-individual");
        };
    }

    @Override
    public String toString() {
        return "STOMP " + socket.remoteAddress() + (principal == null ? "" : " (" + principal.name() + ")");
    }
}
