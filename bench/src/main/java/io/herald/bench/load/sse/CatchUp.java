package io.herald.bench.load.sse;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Catch-up replay: {@code clients} streams connect and receive one message (so each holds an event id),
 * disconnect, {@code missed} messages are published while they are away, then all reconnect at once with
 * their {@code Last-Event-ID}. Measured: the time from the first reconnect until every client has received
 * its {@code missed} messages, each client's own time from its reconnect to its last missed message, and
 * whether every client got exactly the missed messages, once each and in order. Not thread-safe.
 *
 * @param clients reconnecting clients
 * @param missed messages published while they are away (within every server's retention of 100)
 */
public record CatchUp(int clients, int missed) {

    /**
     * @param seconds from the first reconnect until the last client caught up; -1 if some never did
     * @param exact clients that got exactly messages 1..missed, once each and in order
     */
    public record Result(String server, int clients, int missed, double seconds, long p50Micros, long p99Micros,
                         long maxMicros, int exact, long wrong) {

        public boolean complete() {
            return seconds >= 0 && exact == clients && wrong == 0;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"catchUp\":\"%s\",\"clients\":%d,\"missed\":%d,\"seconds\":%.4f,"
                            + "\"clientMicros\":{\"p50\":%d,\"p99\":%d,\"max\":%d},\"exact\":%d,\"wrong\":%d}",
                    server, clients, missed, seconds, p50Micros, p99Micros, maxMicros, exact, wrong);
        }
    }

    public Result run(SseBench bench) throws Exception {
        String name = bench.target().name();
        bench.settle();
        String[] ids = new String[clients];
        try (SsePublisher publisher = bench.publisher()) {
            AtomicInteger primed = new AtomicInteger();
            boolean[] got = new boolean[clients];
            try (SseStreams first = bench.streams(clients, listener((stream, seq) -> {
                if (seq == 0 && !got[stream]) {
                    got[stream] = true;
                    primed.incrementAndGet();
                }
            }))) {
                for (int i = 0; i < clients; i++) {
                    first.open(i, bench.target().streamPath(), null);
                }
                if (!first.awaitConnected(clients, 120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + ": only " + first.connected() + " of " + clients + " streams connected");
                }
                publisher.publishNow(SsePayload.data(0, bench.pad()));
                await(() -> primed.get() == clients, 30_000, name + ": not every client got the first message");
                for (int i = 0; i < clients; i++) {
                    ids[i] = first.lastEventId(i);
                    if (ids[i] == null) {
                        throw new IllegalStateException(name + ": client " + i + " holds no event id after a message");
                    }
                }
            }
            bench.settleQuietly(15_000);
            for (int seq = 1; seq <= missed; seq++) {
                publisher.publishNow(SsePayload.data(seq, bench.pad()));
            }
            bench.settleQuietly(15_000);
        }

        long[] next = new long[clients];
        Arrays.fill(next, 1);
        long[] doneAt = new long[clients];
        AtomicInteger done = new AtomicInteger();
        AtomicLong wrong = new AtomicLong();
        boolean[] bad = new boolean[clients];
        long start;
        Histogram perClient = new Histogram(3);
        try (SseStreams again = bench.streams(clients, listener((stream, seq) -> {
            if (seq < 0) {
                return;
            }
            if (seq == next[stream] && seq <= missed) {
                if (++next[stream] > missed) {
                    doneAt[stream] = System.nanoTime();
                    done.incrementAndGet();
                }
            } else {
                bad[stream] = true;
                wrong.incrementAndGet();
            }
        }))) {
            start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                again.open(i, bench.target().streamPath(), ids[i]);
            }
            boolean all = awaitQuietly(() -> done.get() == clients, 120_000);
            long end = Arrays.stream(doneAt).max().orElse(start);
            // A little longer, to see duplicates or strays that follow the last expected message.
            Thread.sleep(500);
            int exact = 0;
            for (int i = 0; i < clients; i++) {
                if (doneAt[i] != 0) {
                    perClient.recordValue(Math.max(0, (doneAt[i] - again.openedAt(i)) / 1000));
                    if (!bad[i]) {
                        exact++;
                    }
                }
            }
            boolean any = perClient.getTotalCount() > 0;
            return new Result(name, clients, missed, all ? (end - start) / 1e9 : -1,
                    any ? perClient.getValueAtPercentile(50) : -1, any ? perClient.getValueAtPercentile(99) : -1,
                    any ? perClient.getMaxValue() : -1, exact, wrong.get());
        }
    }

    private interface SeqListener {
        void onSeq(int stream, long seq);
    }

    private static SseStreams.Listener listener(SeqListener onSeq) {
        return new SseStreams.Listener() {
            @Override
            public void onEvent(int stream, String type, long seq) {
                if (type == null || type.equals("message")) {
                    onSeq.onSeq(stream, seq);
                }
            }

            @Override
            public void onEnd(int stream, String reason) {
            }
        };
    }

    private static void await(java.util.function.BooleanSupplier condition, long millis, String failure) throws InterruptedException {
        if (!awaitQuietly(condition, millis)) {
            throw new IllegalStateException(failure + " within " + millis + " ms");
        }
    }

    private static boolean awaitQuietly(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
