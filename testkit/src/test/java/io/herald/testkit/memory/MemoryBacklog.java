package io.herald.testkit.memory;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.SubscriptionBacklog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simplest right {@link SubscriptionBacklog}: lists in memory, fed by {@link #accept}. It shows the
 * contract can be met, and the self-test's broken kits wrap it. Thread-safe.
 */
public class MemoryBacklog implements SubscriptionBacklog {

    private record Kept(ChannelName channel, List<Message> messages) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    /** A message published to its channel: every backlog open for that channel keeps it. */
    public void accept(Message message) {
        kept.values().stream().filter(k -> k.channel().equals(message.channel())).forEach(k -> k.messages().add(message));
    }

    @Override
    public void open(String name, ChannelName channel) {
        checkName(name);
        kept.computeIfAbsent(name, n -> new Kept(channel, new CopyOnWriteArrayList<>()));
    }

    @Override
    public List<Message> read(String name, Position after, int limit) {
        Kept k = kept.get(name);
        List<Message> out = new ArrayList<>();
        if (k != null) {
            for (Message m : k.messages()) {
                if (out.size() < limit && m.position().sameEpoch(after) && m.offset() > after.offset()) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    @Override
    public void release(String name, Position upTo) {
        Kept k = kept.get(name);
        if (k != null) {
            k.messages().removeIf(m -> !m.position().sameEpoch(upTo) || m.offset() <= upTo.offset());
        }
    }

    @Override
    public void close(String name) {
    }

    @Override
    public void delete(String name) {
        kept.remove(name);
    }
}
