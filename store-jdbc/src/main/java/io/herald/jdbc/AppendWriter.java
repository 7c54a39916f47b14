package io.herald.jdbc;

import io.herald.api.HistoryStore.Appended;
import io.herald.api.Publication;
import io.herald.api.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one writer of history: takes appends from a bounded queue in call order and stores up to
 * {@value #BATCH} of them per transaction, so a publisher that does not wait (and many that do) costs one
 * commit per batch rather than one per message. Call order per channel is queue order, so positions follow
 * it. A batch that fails only because of another transaction (a deadlock, a serialization failure) is run
 * again; any other failure fails every append of the batch with a {@link StoreException} and stores none of
 * them. Thread-safe.
 */
final class AppendWriter {

    static final int BATCH = 100;
    private static final int QUEUE = 10_000;
    private static final int ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(AppendWriter.class);

    private record Pending(Publication publication, CompletableFuture<Appended> future) {
    }

    private final JdbcDatabase db;
    private final ChannelLog log;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile boolean running;
    private Thread thread;
    private Clock clock;

    AppendWriter(JdbcDatabase db, ChannelLog log) {
        this.db = db;
        this.log = log;
    }

    synchronized void start(Clock clock) {
        if (running) {
            return;
        }
        this.clock = clock;
        running = true;
        thread = new Thread(this::run, "herald-jdbc-writer");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        failQueued();
    }

    boolean isRunning() {
        return running;
    }

    /** Queues an append, waiting for room when {@value #QUEUE} are queued already. */
    CompletableFuture<Appended> submit(Publication publication) {
        CompletableFuture<Appended> future = new CompletableFuture<>();
        if (!running) {
            return CompletableFuture.failedFuture(JdbcHistoryStore.stopped(publication));
        }
        try {
            queue.put(new Pending(publication, future));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new StoreException("interrupted while appending to " + publication.channel()));
        }
        if (!running) {
            // stop() may have drained the queue before this one arrived.
            failQueued();
        }
        return future;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, BATCH - 1);
            write(batch);
            batch.clear();
        }
    }

    private void write(List<Pending> batch) {
        List<Publication> publications = batch.stream().map(Pending::publication).toList();
        List<Appended> results;
        try {
            results = store(publications);
        } catch (RuntimeException e) {
            batch.forEach(p -> p.future().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(results.get(i));
        }
    }

    private List<Appended> store(List<Publication> publications) {
        String what = publications.size() == 1 ? "append to " + publications.get(0).channel()
                : "append " + publications.size() + " messages to " + publications.stream().map(p -> p.channel().toString()).distinct().limit(3).toList();
        try (Connection c = db.connection(what)) {
            c.setAutoCommit(false);
            try {
                for (int attempt = 1; ; attempt++) {
                    try {
                        List<Appended> results = log.append(c, publications, Instant.ofEpochMilli(clock.millis()));
                        c.commit();
                        return results;
                    } catch (SQLException e) {
                        rollback(c);
                        if (!Dialect.isRetryable(e) || attempt == ATTEMPTS) {
                            throw e;
                        }
                        LOG.debug("retrying a batch of {} appends after {}", publications.size(), e.toString());
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool retires it, and the transaction died with it.
        }
    }

    private void failQueued() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.future().completeExceptionally(JdbcHistoryStore.stopped(p.publication())));
    }
}
