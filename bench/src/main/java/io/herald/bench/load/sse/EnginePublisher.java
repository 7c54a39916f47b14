package io.herald.bench.load.sse;

import io.herald.api.ChannelName;
import io.herald.bench.load.DeliverySink;
import io.herald.core.Herald;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes straight into an in-process {@link Herald} (no HTTP publish API there), on one thread so
 * messages keep their send order and {@link #publish} does not block the load schedule.
 */
public final class EnginePublisher implements SsePublisher {

    private final Herald herald;
    private final ChannelName channel;
    private final int pad;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "engine-publisher");
        t.setDaemon(true);
        return t;
    });

    public EnginePublisher(Herald herald, ChannelName channel, int pad) {
        this.herald = herald;
        this.channel = channel;
        this.pad = pad;
    }

    @Override
    public void publish(long seq, DeliverySink sink) {
        thread.execute(() -> {
            try {
                herald.publish(channel, SsePayload.data(seq, pad));
            } catch (RuntimeException e) {
                sink.failed(seq, "publish to " + channel + " failed: " + e);
            }
        });
    }

    @Override
    public void publishNow(String data) throws InterruptedException {
        try {
            thread.submit(() -> herald.publish(channel, data)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("publish to " + channel + " failed: " + e, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(10, TimeUnit.SECONDS);
    }
}
