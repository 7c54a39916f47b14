package io.herald.bench.load.sse;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Memory per idle SSE connection: the server's heap after a full GC (a JVM, through {@code jcmd}) with no
 * connection and then with {@code connections} idle streams open on one channel, the difference divided by
 * the count; and its RSS with those streams over its RSS when freshly started (a process rarely gives
 * memory back, so RSS is compared with the fresh process, not with the moment before). Not thread-safe.
 */
public final class IdleMemory {

    /**
     * @param heapPerConnection bytes of heap after GC per connection; -1 when the server is not a JVM
     * @param rssPerConnection bytes of resident memory per connection (the JVM's RSS rarely shrinks, so this
     *     is meaningful for nginx more than for a JVM whose heap is committed up front)
     */
    public record Result(String server, int connections, long heapBefore, long heapAfter, long rssBefore, long rssAfter,
                         long heapPerConnection, long rssPerConnection) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"idle\":\"%s\",\"connections\":%d,\"heapBefore\":%d,\"heapAfter\":%d,"
                            + "\"rssBefore\":%d,\"rssAfter\":%d,\"heapPerConnection\":%d,\"rssPerConnection\":%d}",
                    server, connections, heapBefore, heapAfter, rssBefore, rssAfter, heapPerConnection, rssPerConnection);
        }
    }

    private IdleMemory() {
    }

    /** Measures with {@code connections} idle streams; {@code freshRss} is the server's RSS right after it started. */
    public static Result measure(SseBench bench, int connections, long freshRss) throws Exception {
        bench.settle();
        long heapBefore = bench.heapReadable() ? bench.probe().heapAfterGcBytes() : -1;
        long rssBefore = freshRss;
        SseStreams.Listener quiet = new SseStreams.Listener() {
            @Override
            public void onEvent(int stream, String type, long seq) {
            }

            @Override
            public void onEnd(int stream, String reason) {
            }
        };
        try (SseStreams streams = bench.streams(connections, quiet)) {
            for (int i = 0; i < connections; i++) {
                streams.open(i, bench.target().streamPath(), null);
            }
            if (!streams.awaitConnected(connections, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(bench.target().name() + ": only " + streams.connected() + " of "
                        + connections + " idle streams got a 200 within 120 s (" + streams.ended() + " ended)");
            }
            // Let the server finish whatever it does right after a stream starts before weighing it.
            Thread.sleep(2000);
            long heapAfter = bench.heapReadable() ? bench.probe().heapAfterGcBytes() : -1;
            long rssAfter = bench.probe().rssBytes();
            if (streams.ended() > 0) {
                throw new IllegalStateException(bench.target().name() + ": " + streams.ended() + " idle streams ended while weighing");
            }
            return new Result(bench.target().name(), connections, heapBefore, heapAfter, rssBefore, rssAfter,
                    heapBefore < 0 || heapAfter < 0 ? -1 : (heapAfter - heapBefore) / connections,
                    (rssAfter - rssBefore) / connections);
        }
    }
}
