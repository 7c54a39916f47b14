package io.herald.bench.load.sse;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a fresh server's publish path to its steady state before anything is measured: {@code messages}
 * publishes, one after the other, to a channel of its own ({@link SseTarget#onChannel}) that one stream
 * reads, and waits until that stream has them all.
 *
 * <p>Why: at the fixed rate of a fan-out run a JVM server's per-publish code (the HTTP request parser, the
 * publish handler, the hand-off to the walk) runs a few times a second, so it reaches the JIT's last tier only
 * minutes after start, and those compilations land in the measured window, in the middle of fan-out walks (at
 * 1,000 streams x 70 msg/s, 30 s after start: Jetty's {@code HttpParser.parseFields}, the connection's send
 * callback; docs/benchmarks.md). A server that has run for minutes has compiled them; this gets there in
 * seconds. Every server gets the same publishes (nginx has nothing to compile); the measured streams and
 * channel are untouched. Not thread-safe.
 */
public final class PublishPriming {

    /** The priming done: {@code messages} published and read back in {@code seconds}. */
    public record Result(String server, int messages, double seconds) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"primed\":\"%s\",\"messages\":%d,\"seconds\":%.2f}", server, messages, seconds);
        }
    }

    private PublishPriming() {
    }

    /** Publishes {@code messages} messages to one stream on {@code bench}'s priming channel and waits for them all. */
    public static Result run(SseBench bench, int messages) throws Exception {
        SseTarget target = bench.target().onChannel(bench.target().channel() + "/prime");
        AtomicLong received = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        SseStreams.Listener counting = new SseStreams.Listener() {
            @Override
            public void onEvent(int stream, String type, long seq) {
                if (seq >= 0 && received.incrementAndGet() == messages) {
                    done.countDown();
                }
            }

            @Override
            public void onEnd(int stream, String reason) {
                failure.compareAndSet(null, "the priming stream ended: " + reason);
                done.countDown();
            }
        };
        long start = System.nanoTime();
        try (SseStreams streams = bench.streams(1, counting);
             SsePublisher publisher = new HttpSsePublisher(target, bench.pad())) {
            streams.open(0, target.streamPath(), null);
            if (!streams.awaitConnected(1, 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(target.name() + ": the priming stream on " + target.channel() + " got no 200 within 30 s");
            }
            for (int seq = 0; seq < messages; seq++) {
                publisher.publishNow(SsePayload.data(seq, bench.pad()));
            }
            if (!done.await(60, TimeUnit.SECONDS) || received.get() < messages) {
                throw new IllegalStateException(target.name() + ": priming on " + target.channel() + " delivered "
                        + received.get() + " of " + messages + " messages" + (failure.get() == null ? "" : "; " + failure.get()));
            }
        }
        return new Result(target.name(), messages, (System.nanoTime() - start) / 1e9);
    }
}
