package io.herald.testkit.contract;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker listener that keeps what it receives, for the broker contract and a broker's own tests. Brokers call
 * listeners from their own threads, several at once for different channels, so every method is thread-safe.
 */
public final class RecordingListener implements Broker.Listener {

    private final List<Message> messages = new ArrayList<>();
    private final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public synchronized void onMessage(Message message) {
        messages.add(message);
    }

    @Override
    public void onResync() {
        resyncs.incrementAndGet();
    }

    /** Everything received, in arrival order. */
    public synchronized List<Message> messages() {
        return List.copyOf(messages);
    }

    /** What was received from {@code channel}, in arrival order. */
    public synchronized List<Message> messages(ChannelName channel) {
        return messages.stream().filter(m -> m.channel().equals(channel)).toList();
    }

    /** The offsets received from {@code channel}, in arrival order. */
    public List<Long> offsets(ChannelName channel) {
        return messages(channel).stream().map(Message::offset).toList();
    }

    /** How many times the broker said messages may have been lost. */
    public int resyncs() {
        return resyncs.get();
    }
}
