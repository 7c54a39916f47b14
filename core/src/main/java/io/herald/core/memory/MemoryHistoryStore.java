package io.herald.core.memory;

import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.Retention;
import io.herald.core.RandomIds;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * History in this process's memory: a bounded ring of messages per channel.
 *
 * <p>Every channel shares one epoch, drawn at random when the store is created, so a client resuming after
 * a restart gets a reset gap instead of a wrong position (G2). Each channel is locked separately; appends
 * and replays of different channels never contend. Publisher ids of retained messages are indexed per
 * channel, and leave the index with their message, so a retried append is found in constant time and the
 * index never outgrows retention. Thread-safe.
 */
public final class MemoryHistoryStore implements HistoryStore {

    private final String epoch = RandomIds.epoch();
    private final AtomicLong ids = new AtomicLong();
    private final Map<ChannelName, Log> logs = new ConcurrentHashMap<>();
    private final Retention.Policy retention;
    private final Clock clock;

    public MemoryHistoryStore(Retention.Policy retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    public MemoryHistoryStore() {
        this(Retention.Policy.uniform(Retention.DEFAULT), Clock.systemUTC());
    }

    /** The epoch of every channel in this store. */
    public String epoch() {
        return epoch;
    }

    @Override
    public Message append(Publication publication) {
        return store(publication).message();
    }

    /** Appends at once: nothing here is worth pipelining, but the caller learns about a repeated id. */
    @Override
    public CompletableFuture<Appended> appendAsync(Publication publication) {
        return CompletableFuture.completedFuture(store(publication));
    }

    /** An append holds its channel's monitor for a few field updates, never across anything that waits. */
    @Override
    public boolean appendsWithoutWaiting() {
        return true;
    }

    private Appended store(Publication publication) {
        ChannelName channel = publication.channel();
        Log log = logs.computeIfAbsent(channel, c -> new Log(retention.retentionFor(c)));
        synchronized (log) {
            Instant now = clock.instant();
            // Trim first, so that a message that aged out is not taken for the original of a retry.
            log.trimAge(now);
            if (publication.id() != null) {
                Message original = log.withId(publication.id());
                if (original != null) {
                    return new Appended(original, true);
                }
            }
            long offset = log.head + 1;
            Message message = Message.of(publication, new Position(epoch, offset), epoch + "." + Long.toString(ids.incrementAndGet(), 36), now);
            log.add(message, publication.id() != null);
            return new Appended(message, false);
        }
    }

    @Override
    public Replay replay(ChannelName channel, Position after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("replay limit must be at least 1, got " + limit);
        }
        Log log = logs.get(channel);
        if (log == null) {
            return Replay.of(channel, Position.start(epoch), 1, after, List.of());
        }
        synchronized (log) {
            log.trimAge(clock.instant());
            Position head = new Position(epoch, log.head);
            long first = log.head - log.size + 1;
            long from = Replay.readFrom(head, first, after);
            int count = (int) Math.min(limit, log.head - from + 1);
            List<Message> messages = new ArrayList<>(Math.max(count, 0));
            for (long offset = from; offset < from + count; offset++) {
                messages.add(log.at(offset));
            }
            return Replay.of(channel, head, first, after, messages);
        }
    }

    @Override
    public Position head(ChannelName channel) {
        Log log = logs.get(channel);
        if (log == null) {
            return Position.start(epoch);
        }
        synchronized (log) {
            return new Position(epoch, log.head);
        }
    }

    /** Ring buffer of one channel, and the publisher ids of its messages; guarded by its own monitor. */
    private static final class Log {
        private final Retention retention;
        private Message[] ring = new Message[8];
        private int start;
        private int size;
        private long head;
        /** Retained messages by publisher id; made with the first such message. */
        private Map<String, Message> byId;

        Log(Retention retention) {
            this.retention = retention;
        }

        /** @param publisherId whether the message carries its publisher's id (not one this store made) */
        void add(Message message, boolean publisherId) {
            if (size == retention.maxCount()) {
                dropOldest();
            } else if (size == ring.length) {
                grow();
            }
            ring[(start + size) % ring.length] = message;
            size++;
            head = message.offset();
            if (publisherId) {
                if (byId == null) {
                    byId = new HashMap<>();
                }
                byId.put(message.id(), message);
            }
        }

        Message withId(String id) {
            return byId == null ? null : byId.get(id);
        }

        private void dropOldest() {
            Message oldest = ring[start];
            if (byId != null) {
                // Only if the id names this very message: a generated id never enters the index.
                byId.remove(oldest.id(), oldest);
            }
            ring[start] = null;
            start = (start + 1) % ring.length;
            size--;
        }

        Message at(long offset) {
            long first = head - size + 1;
            return ring[(int) ((start + (offset - first)) % ring.length)];
        }

        void trimAge(Instant now) {
            if (!retention.hasMaxAge()) {
                return;
            }
            Instant oldest = now.minus(retention.maxAge());
            while (size > 0 && ring[start].timestamp().isBefore(oldest)) {
                dropOldest();
            }
        }

        private void grow() {
            Message[] bigger = new Message[Math.min(ring.length * 2, Math.max(retention.maxCount(), 8))];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(start + i) % ring.length];
            }
            ring = bigger;
            start = 0;
        }
    }
}
