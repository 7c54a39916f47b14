package io.herald.sse;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.core.AckMode;
import io.herald.core.ClientSession;
import io.herald.core.Connection;
import io.herald.core.ConnectionSubscription;
import io.herald.core.Resume;
import io.herald.http.ClientGone;
import io.herald.http.DirectStream;
import io.herald.http.JsonResponses;
import io.herald.http.WriteLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One SSE stream (or long poll): the SSE codec over a core {@link Connection}, which owns the subscriptions,
 * cursors, gaps, the bounded outbox, cut-off and timers. This class turns what the connection drains into
 * event bytes and writes them with one writer at a time, batching whatever has queued up into one write.
 *
 * <p>Every event carries an {@code id:} encoding the position reached on each of the stream's channels
 * ({@link SseEventId}), so a reconnect with {@code Last-Event-ID} resumes them all. Gaps become one
 * {@code missedevents} event; a stream whose first write holds no message starts with a {@code lastEventId}
 * event so the client always holds an id. When the connection is cut off (the client reads too slowly,
 * G6), the stream flushes what is queued and ends; the client reconnects with the id of the last event it got.
 *
 * <p>Thread-safe: engine threads feed the connection; {@link WriteLoop} serializes the writer.
 */
final class SseConnection implements Connection.Wire {

    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SseTransport transport;
    private final SseRequest request;
    private final Response response;
    private final Callback callback;
    private final Executor executor;
    private final Map<ChannelName, Integer> slots = new HashMap<>();
    private final ConnectionSubscription[] exact;
    /** The heads a long poll without an id answers with, when nothing is subscribed. */
    private Position[] heads;
    /** The channel of a connection on one exact channel and no pattern, whose events are shared bytes; else null. */
    private final ChannelName single;
    private final Writer writer = new Writer();
    private final Runnable iterate = writer::iterate;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Connection connection;
    private volatile boolean started;
    private volatile boolean closing;
    private volatile boolean heartbeatDue;
    /** Whether an event was written since the last heartbeat tick: a stream that carries events needs no keep-alive. */
    private volatile boolean wroteSinceHeartbeat;
    private volatile boolean pollDone;
    private volatile ScheduledFuture<?> pollTimer;
    /** Notices a client that goes away while the exchange is held; stopped before the exchange's last write. */
    private volatile ClientGone.Watch watch;
    /** Set by the writer when the watch read from the connection after the headers went: close it at the end. */
    private boolean closeAfterLast;

    // Owned by the writer.
    private boolean firstWrite = true;
    private boolean wroteEvent;
    private boolean wroteMessage;
    private boolean ended;
    /** Where the stream's chunks go once Jetty has written its first one, when Jetty chunks it; else null. */
    private DirectStream direct;
    private boolean directChecked;
    private List<Gap> gaps;
    private final Position[] ids;
    /** For a stream bound to a durable session: its id and each channel's base epoch; else null. */
    private volatile String sessionId;
    private volatile String[] bases;

    SseConnection(SseTransport transport, SseRequest request, Response response, Callback callback, Executor executor) {
        this.transport = transport;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.executor = executor;
        List<ChannelName> channels = request.channels();
        this.exact = new ConnectionSubscription[channels.size()];
        this.ids = new Position[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            slots.put(channels.get(i), i);
        }
        // Ids of a durable session's stream name the session, so they are not the shared single-channel bytes.
        this.single = channels.size() == 1 && request.patterns().isEmpty() && !request.durable() ? channels.get(0) : null;
    }

    /**
     * Subscribes and starts streaming; {@code resume} is null (live), or one position per channel. If a
     * subscription fails, the ones made are undone and the exception propagates with the response untouched.
     */
    void open(ClientSession session, List<Position> resume, boolean unknownId) {
        transport.connections.add(this);
        transport.stats.connected.incrementAndGet();
        List<ChannelName> channels = request.channels();
        try {
            connection = transport.sessions.connect(session, this, false);
            for (int i = 0; i < channels.size(); i++) {
                Resume from = resume != null ? Resume.after(resume.get(i)) : unknownId ? Resume.unknown() : Resume.live();
                exact[i] = connection.subscribe(channels.get(i).value(), channels.get(i), from, AckMode.AUTO, 0);
            }
            for (ChannelName pattern : request.patterns()) {
                connection.subscribe(pattern.value(), pattern, Resume.live(), AckMode.AUTO, 0);
            }
            if (session.durable()) {
                String[] base = new String[channels.size()];
                for (int i = 0; i < channels.size(); i++) {
                    base[i] = SseSessions.baseEpoch(session, channels.get(i), exact[i].cursor());
                }
                bases = base;
                sessionId = session.id();
            }
        } catch (RuntimeException e) {
            finish();
            throw e;
        }
        connection.heartbeats(transport.heartbeat);
        if (request.polling()) {
            pollTimer = connection.schedule(this::endPoll, transport.pollTimeout);
        }
        started = true;
        writer.iterate();
    }

    /** The watch on the exchange's connection ({@code null} on HTTP/2 and 3); set before the connection opens. */
    void watch(ClientGone.Watch watch) {
        this.watch = watch;
    }

    /** Before the exchange's last write: the connection then carries the client's next request, or is closed. */
    private void stopWatch() {
        ClientGone.Watch w = watch;
        closeAfterLast = w != null && w.stopBefore(response);
    }

    /** A long poll without an id: answers the current heads at once and ends. */
    void answerHeads() {
        List<ChannelName> channels = request.channels();
        Position[] current = new Position[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            // May fail (store outage) before the connection is counted anywhere: nothing to undo.
            current[i] = transport.engine.head(channels.get(i));
        }
        transport.connections.add(this);
        transport.stats.connected.incrementAndGet();
        heads = current;
        pollDone = true;
        started = true;
        writer.iterate();
    }

    @Override
    public void writable() {
        if (started) {
            transport.threads.write(System.identityHashCode(this), iterate);
        }
    }

    @Override
    public void cutOff() {
        transport.stats.cutOffs.increment();
        end();
    }

    @Override
    public void heartbeat() {
        if (wroteSinceHeartbeat) {
            // Skipped: at 10,000 streams a tick every 15 s would otherwise run 667 writers a second on the timer
            // thread, each writing a comment to a stream that just carried an event.
            wroteSinceHeartbeat = false;
            return;
        }
        heartbeatDue = true;
        writer.iterate();
    }

    /** Stops taking messages, flushes what is queued, then ends the stream. */
    void end() {
        if (closing) {
            return;
        }
        closing = true;
        Connection c = connection;
        if (c != null) {
            c.seal();
        }
        executor.execute(iterate);
    }

    void endPoll() {
        pollDone = true;
        writer.iterate();
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        Connection c = connection;
        if (c != null) {
            c.close();
        }
        transport.connections.remove(this);
        transport.stats.connected.decrementAndGet();
    }

    /** The id of everything written so far; with {@code slot >= 0}, as if {@code at} were written on it too. */
    private String id(int slot, Position at) {
        if (heads != null) {
            return SseEventId.encode(heads);
        }
        for (int i = 0; i < exact.length; i++) {
            ids[i] = i == slot ? at : exact[i].cursor();
        }
        String session = sessionId;
        return session != null ? SseEventId.encode(session, ids, bases) : SseEventId.encode(ids);
    }

    private void writeControl(SseBatch batch, String type, String data) {
        flushSingle(batch);
        batch.out().writeBytes(SseEncoder.idLine(id(-1, null)));
        batch.out().writeBytes(SseEncoder.control(type, data));
        wroteEvent = true;
    }

    private void writeGaps(SseBatch batch) {
        if (gaps == null || gaps.isEmpty()) {
            return;
        }
        List<Map<String, Object>> missed = new ArrayList<>(gaps.size());
        for (Gap gap : gaps) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("channel", gap.channel().value());
            entry.put("after", gap.after());
            entry.put("firstAvailable", gap.firstAvailable());
            entry.put("count", gap.missed());
            entry.put("reset", gap.reset());
            missed.add(entry);
        }
        try {
            writeControl(batch, "missedevents", JsonResponses.MAPPER.writeValueAsString(Map.of("missed", missed)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        transport.stats.missing.increment();
        gaps.clear();
    }

    /** The single-channel event held back in case it is the batch's only write; now copied into the batch. */
    private void flushSingle(SseBatch batch) {
        if (batch.single != null) {
            batch.out().writeBytes(transport.encoder.singleChannelEvent(batch.single));
            batch.single = null;
        }
    }

    /**
     * A message drained into {@code batch}, the writing thread's: called through {@link SseBatch}'s items, so
     * the batch is looked up once per pass rather than once per call (a thread-local lookup each was a fifth of
     * the writer's Java time at 10,000 streams).
     */
    void message(SseBatch batch, Message message) {
        writeGaps(batch);
        if (message.channel().equals(single)) {
            flushSingle(batch);
            if (batch.written() == 0 && !firstWrite) {
                // Likely the whole batch (live fan-out): written as the shared bytes, without copying.
                batch.single = message;
            } else {
                batch.out().writeBytes(transport.encoder.singleChannelEvent(message));
            }
        } else {
            Integer slot = slots.get(message.channel());
            flushSingle(batch);
            batch.out().writeBytes(SseEncoder.idLine(id(slot == null ? -1 : slot, message.position())));
            batch.out().writeBytes(transport.encoder.body(message));
        }
        transport.stats.events.increment();
        wroteMessage = true;
        wroteEvent = true;
    }

    void gap(Gap gap) {
        if (gaps == null) {
            gaps = new ArrayList<>(2);
        }
        gaps.add(gap);
    }

    /** The single writer: drains the connection in batches, one write at a time. */
    private final class Writer extends WriteLoop {

        @Override
        protected Action process() {
            SseBatch batch = SseBatch.current();
            SseConnection outer = batch.stream;
            batch.stream = SseConnection.this;
            try {
                while (true) {
                    Action action = pass(batch);
                    if (action != null) {
                        return action;
                    }
                    if (aborted()) {
                        return Action.IDLE;
                    }
                    // The socket took the whole write at once: drain again on this pass, without a completion
                    // callback and a second process() (two compare-and-sets and a batch lookup per delivery).
                }
            } finally {
                batch.stream = outer;
            }
        }

        /** One batch: drained, built and written; {@code null} when it was written whole at once (go again). */
        private Action pass(SseBatch batch) {
            if (ended) {
                return Action.SUCCEEDED;
            }
            boolean pollEnding = request.polling() && pollDone;
            if (pollEnding && !closing) {
                end();
            }
            if (!firstWrite && !directChecked) {
                // Jetty has written the first chunk (headers included): from now on chunks can go straight out.
                directChecked = true;
                direct = DirectStream.of(response.getRequest());
            }
            Connection c = connection;
            batch.reset();
            if (firstWrite) {
                batch.out().writeBytes(("retry: " + transport.retry.toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
            }
            wroteMessage = false;
            int drained = c == null ? 0 : c.drain(closing ? Integer.MAX_VALUE : 256, batch);
            writeGaps(batch);
            if (drained == 0 && !firstWrite && !closing && !heartbeatDue) {
                return Action.IDLE;
            }
            if (firstWrite && !wroteEvent && !closing && !request.polling()) {
                writeControl(batch, "lastEventId", id(-1, null));
            }
            if (request.polling() && wroteMessage) {
                ScheduledFuture<?> timer = pollTimer;
                if (timer != null && timer.getDelay(TimeUnit.MILLISECONDS) > transport.pollBatch.toMillis()) {
                    timer.cancel(false);
                    pollTimer = c.schedule(SseConnection.this::endPoll, transport.pollBatch);
                }
            }
            firstWrite = false;
            if (wroteMessage && !wroteSinceHeartbeat) {
                wroteSinceHeartbeat = true;
            }
            if (heartbeatDue) {
                heartbeatDue = false;
                if (batch.written() == 0 && batch.single == null) {
                    batch.out().writeBytes(HEARTBEAT);
                }
            }
            boolean last = closing && (c == null || c.isIdle());
            if (last) {
                if (request.polling() && !wroteEvent) {
                    writeControl(batch, "lastEventId", id(-1, null));
                }
                ended = true;
                stopWatch();
            }
            if (direct != null && !last) {
                return writeDirect(direct, batch);
            }
            ByteBuffer bytes;
            if (batch.single != null && batch.written() == 0) {
                bytes = ByteBuffer.wrap(transport.encoder.singleChannelEvent(batch.single)).asReadOnlyBuffer();
            } else {
                flushSingle(batch);
                if (batch.written() == 0 && !last) {
                    return Action.IDLE;
                }
                bytes = ByteBuffer.wrap(batch.out().toByteArray());
            }
            batch.single = null;
            transport.stats.bytes.add(bytes.remaining());
            response.write(last, bytes, this);
            return Action.SCHEDULED;
        }

        /**
         * Writes the batch as framed chunks on the connection; the one shared chunk when it is a single event.
         * {@code null} when the socket took it all at once, else {@link Action#SCHEDULED} (this loop is the
         * write's callback) or {@link Action#IDLE} (nothing to write).
         */
        private Action writeDirect(DirectStream stream, SseBatch batch) {
            if (batch.single != null && batch.written() == 0) {
                // The fan-out case: one event, its shared chunk, one write(2).
                Message event = batch.single;
                batch.single = null;
                transport.stats.bytes.add(transport.encoder.singleChannelEvent(event).length);
                return stream.writeNow(this, batch.chunk(event, transport.encoder.singleChannelChunk(event))) ? null : Action.SCHEDULED;
            }
            flushSingle(batch);
            if (batch.written() == 0) {
                return Action.IDLE;
            }
            byte[] bytes = batch.out().toByteArray();
            transport.stats.bytes.add(bytes.length);
            stream.write(this, batch.framed(DirectStream.header(bytes.length), bytes));
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            finish();
            if (closeAfterLast) {
                response.getRequest().getConnectionMetaData().getConnection().getEndPoint().close();
            }
            callback.succeeded();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            finish();
            callback.failed(cause);
        }
    }

    /** How many items wait in the outbox now. */
    int queued() {
        Connection c = connection;
        return c == null ? 0 : c.queued();
    }

    /** Ends the exchange at once (client gone, request failed). */
    void abort(Throwable cause) {
        writer.abort(cause);
    }
}
