package io.herald.sse;

import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.core.OutboxSubscriber;
import io.herald.core.Resume;
import io.herald.core.Subscription;
import io.herald.http.JsonResponses;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * One SSE stream (or long poll): subscribed to its channels, it queues what the engine delivers in a bounded
 * {@link Outbox} and writes it with one writer at a time, batching whatever has queued up into one write.
 *
 * <p>Every event carries an {@code id:} encoding the position reached on each of the connection's channels
 * ({@link SseEventId}), so a reconnect with {@code Last-Event-ID} resumes them all. Gaps become one
 * {@code missedevents} event; a stream whose first write holds no message starts with a {@code lastEventId}
 * event so the client always holds an id. When the engine cuts the connection off (the client reads too
 * slowly, G6), the connection stops taking messages, flushes what is queued and ends the stream; the client
 * reconnects with the id of the last event it got.
 *
 * <p>Thread-safe: engine threads feed the outbox; {@link IteratingCallback} serializes the writer.
 */
final class SseConnection extends OutboxSubscriber {

    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SseTransport transport;
    private final SseRequest request;
    private final Response response;
    private final Callback callback;
    private final Executor executor;
    private final Map<ChannelName, Integer> slots = new HashMap<>();
    private final Position[] positions;
    private final Subscription[] exact;
    private final List<Subscription> patterns = new CopyOnWriteArrayList<>();
    /** The channel of a connection on one exact channel and no pattern, whose events are shared bytes; else null. */
    private final ChannelName single;
    private final Writer writer = new Writer();
    private final Runnable iterate = writer::iterate;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean started;
    private volatile boolean closing;
    private volatile boolean heartbeatDue;
    private volatile boolean pollDone;
    private volatile ScheduledFuture<?> heartbeat;
    private volatile ScheduledFuture<?> pollTimer;

    // Owned by the writer.
    private boolean firstWrite = true;
    private boolean wroteEvent;
    private boolean ended;
    private final List<Object> drained = new ArrayList<>();

    SseConnection(SseTransport transport, SseRequest request, Response response, Callback callback, Executor executor) {
        super(transport.queue);
        this.transport = transport;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.executor = executor;
        List<ChannelName> channels = request.channels();
        this.positions = new Position[channels.size()];
        this.exact = new Subscription[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            slots.put(channels.get(i), i);
        }
        this.single = channels.size() == 1 && request.patterns().isEmpty() ? channels.get(0) : null;
    }

    /**
     * Subscribes and starts streaming; {@code resume} is null (live), or one position per channel. If a
     * subscription fails, the ones made are undone and the exception propagates with the response untouched.
     */
    void open(List<Position> resume, boolean unknownId) {
        transport.connections.add(this);
        transport.stats.connected.incrementAndGet();
        List<ChannelName> channels = request.channels();
        try {
            for (int i = 0; i < channels.size(); i++) {
                Resume from = resume != null ? Resume.after(resume.get(i)) : unknownId ? new Resume.Unknown(null) : Resume.live();
                exact[i] = transport.engine.subscribe(request.principal(), channels.get(i), from, this);
                positions[i] = resume != null ? resume.get(i) : exact[i].registeredAt();
            }
            for (ChannelName pattern : request.patterns()) {
                patterns.add(transport.engine.subscribe(request.principal(), pattern, Resume.live(), this));
            }
        } catch (RuntimeException e) {
            finish();
            throw e;
        }
        if (transport.isRunning()) {
            var timer = transport.threads.scheduler();
            long beat = transport.heartbeat.toMillis();
            heartbeat = timer.scheduleAtFixedRate(this::beat, beat, beat, TimeUnit.MILLISECONDS);
            if (request.polling()) {
                pollTimer = timer.schedule(this::endPoll, transport.pollTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        started = true;
        writer.iterate();
    }

    /** A long poll without an id: answers the current heads at once and ends. */
    void answerHeads() {
        transport.connections.add(this);
        transport.stats.connected.incrementAndGet();
        List<ChannelName> channels = request.channels();
        for (int i = 0; i < channels.size(); i++) {
            positions[i] = transport.engine.head(channels.get(i));
        }
        pollDone = true;
        started = true;
        writer.iterate();
    }

    @Override
    protected void ready() {
        if (started) {
            transport.threads.write(System.identityHashCode(this), iterate);
        }
    }

    @Override
    public void cutOff(ChannelName channel, Position lastDelivered) {
        transport.stats.cutOffs.increment();
        end();
    }

    /** Stops taking messages, flushes what is queued, then ends the stream. */
    void end() {
        if (closing) {
            return;
        }
        closing = true;
        outbox.seal();
        unsubscribe();
        executor.execute(iterate);
    }

    private void beat() {
        heartbeatDue = true;
        writer.iterate();
    }

    private void endPoll() {
        pollDone = true;
        writer.iterate();
    }

    private void unsubscribe() {
        for (Subscription s : exact) {
            if (s != null) {
                s.close();
            }
        }
        patterns.forEach(Subscription::close);
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        ScheduledFuture<?> h = heartbeat;
        if (h != null) {
            h.cancel(false);
        }
        ScheduledFuture<?> p = pollTimer;
        if (p != null) {
            p.cancel(false);
        }
        unsubscribe();
        outbox.close();
        transport.connections.remove(this);
        transport.stats.connected.decrementAndGet();
    }

    private String id() {
        return SseEventId.encode(positions);
    }

    private void writeControl(ByteArrayOutputStream out, String type, String data) {
        out.writeBytes(SseEncoder.idLine(id()));
        out.writeBytes(SseEncoder.control(type, data));
        wroteEvent = true;
    }

    private void writeGaps(ByteArrayOutputStream out, List<Gap> gaps) {
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
            writeControl(out, "missedevents", JsonResponses.MAPPER.writeValueAsString(Map.of("missed", missed)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        transport.stats.missing.increment();
        gaps.clear();
    }

    private void moveTo(Gap gap) {
        Integer slot = slots.get(gap.channel());
        if (slot == null) {
            return;
        }
        positions[slot] = gap.resumeAfter();
    }

    /** The single writer: drains the outbox in batches, one write at a time. */
    private final class Writer extends IteratingCallback {

        @Override
        protected Action process() {
            if (ended) {
                return Action.SUCCEEDED;
            }
            boolean pollEnding = request.polling() && pollDone;
            if (pollEnding && !closing) {
                end();
            }
            drained.clear();
            outbox.drainTo(drained, closing ? Integer.MAX_VALUE : 256);
            if (drained.isEmpty() && !firstWrite && !closing && !heartbeatDue) {
                return Action.IDLE;
            }
            if (drained.size() == 1 && !firstWrite && !closing && !heartbeatDue && !request.polling()
                    && drained.get(0) instanceof Message message && message.channel().equals(single)) {
                // The common case of live fan-out: one message on a one-channel stream. Its event bytes are
                // encoded once for all such streams; write them as they are, without copying.
                drained.clear();
                positions[0] = message.position();
                byte[] event = transport.encoder.singleChannelEvent(message);
                transport.stats.events.increment();
                transport.stats.bytes.add(event.length);
                wroteEvent = true;
                response.write(false, ByteBuffer.wrap(event).asReadOnlyBuffer(), this);
                return Action.SCHEDULED;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            if (firstWrite) {
                out.writeBytes(("retry: " + transport.retry.toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
            }
            List<Gap> gaps = null;
            boolean wroteMessage = false;
            for (Object item : drained) {
                if (item instanceof Gap gap) {
                    moveTo(gap);
                    if (gaps == null) {
                        gaps = new ArrayList<>(2);
                    }
                    gaps.add(gap);
                    continue;
                }
                Message message = (Message) item;
                writeGaps(out, gaps);
                if (message.channel().equals(single)) {
                    positions[0] = message.position();
                    out.writeBytes(transport.encoder.singleChannelEvent(message));
                } else {
                    Integer slot = slots.get(message.channel());
                    if (slot != null) {
                        positions[slot] = message.position();
                    }
                    out.writeBytes(SseEncoder.idLine(id()));
                    out.writeBytes(transport.encoder.body(message));
                }
                transport.stats.events.increment();
                wroteMessage = true;
                wroteEvent = true;
            }
            drained.clear();
            writeGaps(out, gaps);
            if (firstWrite && !wroteEvent && !closing && !request.polling()) {
                writeControl(out, "lastEventId", id());
            }
            if (request.polling() && wroteMessage && pollTimer != null && pollTimer.getDelay(TimeUnit.MILLISECONDS) > transport.pollBatch.toMillis()) {
                pollTimer.cancel(false);
                if (transport.isRunning()) {
                    pollTimer = transport.threads.scheduler().schedule(SseConnection.this::endPoll, transport.pollBatch.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            firstWrite = false;
            if (heartbeatDue) {
                heartbeatDue = false;
                if (out.size() == 0) {
                    out.writeBytes(HEARTBEAT);
                }
            }
            if (closing && outbox.isEmpty()) {
                if (request.polling() && !wroteEvent) {
                    writeControl(out, "lastEventId", id());
                }
                ended = true;
                transport.stats.bytes.add(out.size());
                response.write(true, ByteBuffer.wrap(out.toByteArray()), this);
                return Action.SCHEDULED;
            }
            if (out.size() == 0) {
                return Action.IDLE;
            }
            transport.stats.bytes.add(out.size());
            response.write(false, ByteBuffer.wrap(out.toByteArray()), this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            finish();
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
        return outbox.size();
    }

    /** Ends the exchange at once (client gone, request failed). */
    void abort(Throwable cause) {
        writer.abort(cause);
    }
}
