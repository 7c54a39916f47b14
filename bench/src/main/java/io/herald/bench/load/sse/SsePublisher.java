package io.herald.bench.load.sse;

import io.herald.bench.load.DeliverySink;

/**
 * Publishes the load messages of an SSE run, in order: message {@code seq} reaches the server after every
 * earlier one, so each stream must see the sequence numbers in order. Thread-safe; {@link #publish} never
 * blocks.
 */
public interface SsePublisher extends AutoCloseable {

    /** Publishes message {@code seq} asynchronously; a failure goes to {@code sink}'s {@code failed}. */
    void publish(long seq, DeliverySink sink);

    /**
     * Publishes {@code data} (any JSON) and waits for the server's answer.
     *
     * @throws IllegalStateException if the server refuses it or does not answer in time
     */
    void publishNow(String data) throws InterruptedException;

    @Override
    void close() throws Exception;
}
