package io.herald.bench;

import io.herald.api.Message;
import io.herald.core.OutboxSubscriber;
import io.herald.core.Subscriber;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The subscribers a benchmark attaches to the engine, doing the least work a real one does per delivery,
 * and what they received.
 *
 * <ul>
 *   <li>{@code counting}: each subscriber counts the messages and payload bytes it takes, like a
 *       connection's statistics; nothing else.</li>
 *   <li>{@code outbox}: each subscriber is a connection with its own core {@link io.herald.core.Outbox}, as a transport has.
 *       The outbox wakes its connection when it turns non-empty, which puts the connection on a ready queue;
 *       {@link #flush()} is the writer: it drains each ready connection's outbox in batches and "writes" the
 *       items by counting them and their payload bytes.</li>
 * </ul>
 *
 * <p>Not thread-safe: the engine's in-memory broker delivers on the publishing thread, and each benchmark
 * publishes and flushes from its one thread.
 */
public abstract sealed class Receivers permits Receivers.Counting, Receivers.Outboxes {

    /** Writes per drain of one outbox, as a transport batches its writes. */
    static final int WRITE_BATCH = 64;

    /** Makes the receivers named {@code kind}: {@code counting} or {@code outbox}. */
    public static Receivers of(String kind, int expected, int outboxCapacity) {
        return switch (kind) {
            case "counting" -> new Counting(expected);
            case "outbox" -> new Outboxes(expected, outboxCapacity);
            default -> throw new IllegalArgumentException("unknown subscriber kind '" + kind + "', expected counting or outbox");
        };
    }

    /** A new subscriber, the next one. */
    public abstract Subscriber next();

    /** Completes delivery of what the engine handed over: the transport writer's turn. */
    public abstract void flush();

    /** Messages fully delivered (counted by a counting subscriber, or written from an outbox) so far. */
    public abstract long delivered();

    /** Messages delivered to the {@code index}-th subscriber made by {@link #next()}. */
    public abstract long deliveredTo(int index);

    /** Payload bytes delivered so far, over all subscribers. */
    public abstract long bytes();

    static final class Counting extends Receivers {
        private final List<CountingSubscriber> subscribers;

        Counting(int expected) {
            subscribers = new ArrayList<>(expected);
        }

        @Override
        public Subscriber next() {
            CountingSubscriber s = new CountingSubscriber();
            subscribers.add(s);
            return s;
        }

        @Override
        public void flush() {
            // Counting subscribers finish their work inside deliver().
        }

        @Override
        public long delivered() {
            long n = 0;
            for (CountingSubscriber s : subscribers) {
                n += s.messages;
            }
            return n;
        }

        @Override
        public long deliveredTo(int index) {
            return subscribers.get(index).messages;
        }

        @Override
        public long bytes() {
            long n = 0;
            for (CountingSubscriber s : subscribers) {
                n += s.bytes;
            }
            return n;
        }
    }

    private static final class CountingSubscriber implements Subscriber {
        long messages;
        long bytes;

        @Override
        public boolean deliver(Message message) {
            messages++;
            bytes += message.payload().size();
            return true;
        }
    }

    static final class Outboxes extends Receivers {
        private final List<Connection> connections;
        private final ArrayDeque<Connection> ready;
        private final List<Object> batch = new ArrayList<>(WRITE_BATCH);
        private final int capacity;

        Outboxes(int expected, int capacity) {
            this.connections = new ArrayList<>(expected);
            this.ready = new ArrayDeque<>(expected);
            this.capacity = capacity;
        }

        @Override
        public Subscriber next() {
            Connection c = new Connection(this);
            connections.add(c);
            return c;
        }

        @Override
        public void flush() {
            Connection c;
            while ((c = ready.poll()) != null) {
                int n;
                do {
                    n = c.drainTo(batch, WRITE_BATCH);
                    for (int i = 0; i < n; i++) {
                        c.write(batch.get(i));
                    }
                    batch.clear();
                } while (n == WRITE_BATCH);
            }
        }

        @Override
        public long delivered() {
            long n = 0;
            for (Connection c : connections) {
                n += c.written;
            }
            return n;
        }

        @Override
        public long deliveredTo(int index) {
            return connections.get(index).written;
        }

        @Override
        public long bytes() {
            long n = 0;
            for (Connection c : connections) {
                n += c.bytes;
            }
            return n;
        }
    }

    /** One client connection: an outbox in front of a writer. */
    private static final class Connection extends OutboxSubscriber {
        private final Outboxes owner;
        long written;
        long bytes;

        Connection(Outboxes owner) {
            super(owner.capacity);
            this.owner = owner;
        }

        @Override
        protected void ready() {
            owner.ready.add(this);
        }

        int drainTo(List<Object> sink, int max) {
            return outbox.drainTo(sink, max);
        }

        void write(Object item) {
            if (item instanceof Message m) {
                bytes += m.payload().size();
                written++;
            }
        }
    }
}
