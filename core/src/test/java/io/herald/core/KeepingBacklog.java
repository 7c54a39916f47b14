package io.herald.core;

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
 * A backlog in memory for core's tests, fed by the node's publishes (a {@link PublishListener}): what the
 * RabbitMQ durable queues do, with every call recorded. Thread-safe.
 */
final class KeepingBacklog implements SubscriptionBacklog, PublishListener {

    private record Kept(ChannelName channel, List<Message> messages) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Up to how long each {@link #open} takes, at random: widens the windows that race tests aim at. */
    volatile long openJitterNanos;

    @Override
    public void published(Message message) {
        kept.values().stream().filter(k -> k.channel().equals(message.channel())).forEach(k -> k.messages().add(message));
    }

    @Override
    public void checkName(String name) {
        SubscriptionBacklog.super.checkName(name);
        if (name.startsWith("bad")) {
            throw new io.herald.api.InvalidRequestException(null, "name '" + name + "' refused");
        }
    }

    @Override
    public void open(String name, ChannelName channel) {
        long jitter = openJitterNanos;
        if (jitter > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current().nextLong(jitter));
        }
        calls.add("open " + name);
        kept.computeIfAbsent(name, n -> new Kept(channel, new CopyOnWriteArrayList<>()));
    }

    @Override
    public List<Message> read(String name, Position after, int limit) {
        calls.add("read " + name + " after " + after.offset());
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
        calls.add("release " + name + " " + upTo.offset());
        Kept k = kept.get(name);
        if (k != null) {
            k.messages().removeIf(m -> !m.position().sameEpoch(upTo) || m.offset() <= upTo.offset());
        }
    }

    @Override
    public void close(String name) {
        calls.add("close " + name);
    }

    @Override
    public void delete(String name) {
        calls.add("delete " + name);
        kept.remove(name);
    }

    /** Binds this as the node's backlog and as a listener of its publishes. */
    com.google.inject.Module module() {
        return new com.google.inject.AbstractModule() {
            @Override
            protected void configure() {
                com.google.inject.multibindings.OptionalBinder.newOptionalBinder(binder(), SubscriptionBacklog.class)
                        .setBinding().toInstance(KeepingBacklog.this);
                com.google.inject.multibindings.Multibinder.newSetBinder(binder(), PublishListener.class).addBinding()
                        .toInstance(KeepingBacklog.this);
            }
        };
    }

    /** Drops what the backlog keeps of {@code name} up to {@code offset}, as if it began later. */
    void forgetUpTo(String name, long offset) {
        kept.get(name).messages().removeIf(m -> m.offset() <= offset);
    }

    /** Offsets kept under {@code name}, or null when unknown. */
    List<Long> offsets(String name) {
        Kept k = kept.get(name);
        return k == null ? null : k.messages().stream().map(Message::offset).toList();
    }
}
